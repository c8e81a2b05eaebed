/**
 * A global router middleware that gives every failure the API's one JSON error shape: request
 * decoding failures (bad JSON, wrong types, bad path parameters) become 400 naming the field,
 * unknown routes 404, oversized bodies 413, and anything unexpected a 500 that hides internals
 * and is logged with a request id. Responses the framework writes itself in plain text (415 for
 * an unsupported content type) are rewritten into the same shape.
 */
import { Cause, Effect, type Schema, type SchemaAST, SchemaIssue } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiError } from "effect/http-api"
import type * as ApiErrors from "../api/ApiErrors.ts"
import * as Routes from "../api/Routes.ts"

type Body = {
  readonly _tag: string
  readonly code: string
  readonly message: string
  readonly field?: string
  readonly requestId?: string
  readonly retryAfterSeconds?: number
}

/** A JSON error response in the API's shape. */
export const errorResponse = (status: number, body: Body, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(body, { status, headers })

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

// The values of a union of literals (an enum such as InvoiceStatus), or undefined.
const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.LiteralValue> | undefined => {
  if (ast._tag === "Literal") return [ast.literal]
  if (ast._tag !== "Union") return undefined
  const out: Array<SchemaAST.LiteralValue> = []
  for (const member of ast.types) {
    const values = literalsOf(member)
    if (values === undefined) return undefined
    out.push(...values)
  }
  return out
}

// The first failure in the tree with its path, when it is a value outside an enum: the
// formatter would name the enum's identifier ("Expected InvoiceStatus"), not its values.
const enumMismatch = (
  issue: SchemaIssue.Issue,
  path: ReadonlyArray<PropertyKey> = []
): { path: ReadonlyArray<PropertyKey>; values: ReadonlyArray<SchemaAST.LiteralValue> } | undefined => {
  switch (issue._tag) {
    case "Pointer":
      return enumMismatch(issue.issue, [...path, ...issue.path])
    case "Composite":
      return issue.issues[0] === undefined ? undefined : enumMismatch(issue.issues[0], path)
    case "Encoding":
      return enumMismatch(issue.issue, path)
    case "AnyOf": {
      const values = issue.issues.length === 0 ? literalsOf(issue.ast) : undefined
      return values === undefined ? undefined : { path, values }
    }
    default:
      return undefined
  }
}

/** The first field path and message of a Schema failure, for a 400 body. */
export const describeSchemaError = (error: Schema.SchemaError): { field?: string; message: string } => {
  const mismatch = enumMismatch(error.issue)
  const first =
    mismatch === undefined
      ? formatter(error.issue).issues[0]
      : {
          path: mismatch.path,
          message: `Expected one of ${mismatch.values.map((v) => JSON.stringify(v)).join(", ")}`
        }
  if (first === undefined) return { message: "invalid request" }
  const path = (first.path ?? []).map(String).join(".")
  return path === "" ? { message: first.message } : { field: path, message: `${path}: ${first.message}` }
}

const sourceName = {
  Params: "path",
  Query: "query",
  Headers: "header",
  Payload: "body",
  Body: "body"
} as const

/** The middleware; install it once, globally. */
export const layer = HttpRouter.middleware(
  (httpEffect) =>
    Effect.catchCause(Effect.map(httpEffect, normalize), (cause) => {
      const error = Cause.squash(cause)
      if (
        HttpApiError.HttpApiSchemaError.is(error) &&
        error.kind !== "ResponseHeaders" &&
        error.kind !== "Body"
      ) {
        const described = describeSchemaError(error.cause)
        const where = sourceName[error.kind]
        return Effect.succeed(
          errorResponse(400, {
            _tag: "BadRequest" satisfies ApiErrors.BadRequest["_tag"],
            code: "REQUEST.INVALID",
            message: `invalid ${where}: ${described.message}`,
            ...(described.field === undefined ? {} : { field: described.field })
          })
        )
      }
      if (HttpApiError.HttpApiPayloadTooLarge.is(error) || isBodyTooLarge(error)) {
        return Effect.succeed(
          errorResponse(413, {
            _tag: "PayloadTooLarge",
            code: "REQUEST.TOO_LARGE",
            message: "request body too large"
          })
        )
      }
      if (isTag(error, "HttpServerError")) {
        const reason = (error as { reason: { _tag: string } }).reason
        if (reason._tag === "RouteNotFound") {
          return Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
            const allowed = Routes.methodsAt(new URL(request.url, "http://local").pathname)
            return allowed.length === 0
              ? errorResponse(404, { _tag: "NotFound", code: "ROUTE.NOT_FOUND", message: "no such route" })
              : errorResponse(
                  405,
                  {
                    _tag: "MethodNotAllowed",
                    code: "ROUTE.METHOD_NOT_ALLOWED",
                    message: `${request.method} is not allowed here; allowed: ${allowed.join(", ")}`
                  },
                  { allow: allowed.join(", ") }
                )
          })
        }
        if (reason._tag === "RequestParseError") {
          return Effect.succeed(
            errorResponse(400, {
              _tag: "BadRequest",
              code: "REQUEST.UNREADABLE",
              message: "the request could not be read"
            })
          )
        }
      }
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
      const requestId = `req_${globalThis.crypto.randomUUID()}`
      return Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        yield* Effect.logError("unhandled failure", {
          requestId,
          method: request.method,
          url: request.url,
          cause
        })
        return errorResponse(500, {
          _tag: "InternalError",
          code: "INTERNAL",
          message: "internal error; quote the request id when reporting it",
          requestId
        })
      })
    }),
  { global: true }
)

/** The challenge every 401 carries (RFC 6750): how to authenticate. */
export const bearerChallenge = 'Bearer realm="securebase"'

// The framework answers an unsupported content type itself, as text/plain; a 401 names the scheme.
const normalize = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse =>
  response.status === 415
    ? errorResponse(415, {
        _tag: "UnsupportedMediaType",
        code: "REQUEST.UNSUPPORTED_MEDIA_TYPE",
        message: "send the body as application/json"
      })
    : response.status === 401 && response.headers["www-authenticate"] === undefined
      ? HttpServerResponse.setHeader(response, "www-authenticate", bearerChallenge)
      : response

const isTag = (u: unknown, tag: string): boolean =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === tag

const isBodyTooLarge = (u: unknown): boolean =>
  isTag(u, "HttpServerError") && (u as { reason: { reason?: string } }).reason.reason === "BodyTooLarge"
