/**
 * A global router middleware that gives every failure the API's one JSON error shape: request
 * decoding failures (bad JSON, wrong types, bad path parameters) become 400 naming the field,
 * unknown routes 404, oversized bodies 413, and anything unexpected a 500 that hides internals
 * and is logged with a request id. Responses the framework writes itself in plain text (415 for
 * an unsupported content type) are rewritten into the same shape.
 */
import { Cause, Effect, type Schema, SchemaIssue } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiError } from "effect/http-api"
import type * as ApiErrors from "../api/ApiErrors.ts"

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

/** The first field path and message of a Schema failure, for a 400 body. */
export const describeSchemaError = (error: Schema.SchemaError): { field?: string; message: string } => {
  const first = formatter(error.issue).issues[0]
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
          return Effect.succeed(
            errorResponse(404, { _tag: "NotFound", code: "ROUTE.NOT_FOUND", message: "no such route" })
          )
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

// The framework answers an unsupported content type itself, as text/plain.
const normalize = (response: HttpServerResponse.HttpServerResponse): HttpServerResponse.HttpServerResponse =>
  response.status === 415
    ? errorResponse(415, {
        _tag: "UnsupportedMediaType",
        code: "REQUEST.UNSUPPORTED_MEDIA_TYPE",
        message: "send the body as application/json"
      })
    : response

const isTag = (u: unknown, tag: string): boolean =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === tag

const isBodyTooLarge = (u: unknown): boolean =>
  isTag(u, "HttpServerError") && (u as { reason: { reason?: string } }).reason.reason === "BodyTooLarge"
