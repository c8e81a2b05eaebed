/**
 * API Gateway HTTP API (payload format 2.0) ↔ the fetch `Request` / `Response` of a web handler.
 * The same `(Request) => Promise<Response>` that the HttpApi builds for the Node server serves
 * Lambda through these two conversions (the approach of tRPC's aws-lambda adapter):
 *
 * - the URL is rebuilt from the domain, `rawPath` (without a named stage's prefix) and
 *   `rawQueryString`, so repeated query parameters survive;
 * - `cookies` (which 2.0 moves out of the headers) become one `cookie` header;
 * - a base64 body is decoded to bytes; the caller's `sourceIp` becomes `x-forwarded-for` when the
 *   gateway did not set it;
 * - on the way back, `set-cookie` headers become the 2.0 `cookies` array, and any body that is
 *   not text (a PDF invoice) is returned base64-encoded with `isBase64Encoded: true`.
 */
import { Schema } from "effect"

/** The parts of a 2.0 event this adapter reads (validated; unknown fields are ignored). */
export const HttpApiEvent = Schema.Struct({
  version: Schema.Literal("2.0"),
  rawPath: Schema.String,
  rawQueryString: Schema.optional(Schema.String),
  cookies: Schema.optional(Schema.Array(Schema.String)),
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  body: Schema.optional(Schema.String),
  isBase64Encoded: Schema.optional(Schema.Boolean),
  requestContext: Schema.Struct({
    domainName: Schema.optional(Schema.String),
    stage: Schema.optional(Schema.String),
    requestId: Schema.optional(Schema.String),
    http: Schema.Struct({
      method: Schema.String,
      path: Schema.optional(Schema.String),
      sourceIp: Schema.optional(Schema.String)
    })
  })
})
export type HttpApiEvent = typeof HttpApiEvent.Type

/** The 2.0 result. */
export interface HttpApiResult {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly cookies?: ReadonlyArray<string>
  readonly body: string
  readonly isBase64Encoded: boolean
}

/** How `toRequest` fills `x-forwarded-for`. */
export interface RequestOptions {
  /**
   * `"sourceIp"`: always the gateway's `requestContext.http.sourceIp`, replacing any header (a
   * client can prepend addresses to the header, not change `sourceIp`); what the Lambda API
   * handler uses, so the app never sees a client-written X-Forwarded-For (the app itself takes
   * the client address from `ClientAddress.PlatformClientAddress`, not from this header). Default
   * `"header"`: keep the header, falling back to `sourceIp`.
   */
  readonly clientAddress?: "header" | "sourceIp"
}

/** Turns a 2.0 event into a fetch `Request`. */
export const toRequest = (event: HttpApiEvent, options: RequestOptions = {}): Request => {
  const { http, domainName, stage } = event.requestContext
  let path = event.rawPath
  // A named stage's prefix is part of rawPath ("/prod/invoices"); the API's routes do not have it.
  if (
    stage !== undefined &&
    stage !== "$default" &&
    (path === `/${stage}` || path.startsWith(`/${stage}/`))
  ) {
    path = path.slice(stage.length + 1) || "/"
  }
  const query = event.rawQueryString ?? ""
  const url = `https://${domainName ?? "lambda.local"}${path}${query === "" ? "" : `?${query}`}`
  const headers = new Headers()
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.set(name, value)
  if (event.cookies !== undefined && event.cookies.length > 0) headers.set("cookie", event.cookies.join("; "))
  if (
    http.sourceIp !== undefined &&
    (options.clientAddress === "sourceIp" || !headers.has("x-forwarded-for"))
  )
    headers.set("x-forwarded-for", http.sourceIp)
  if (event.requestContext.requestId !== undefined && !headers.has("x-request-id")) {
    headers.set("x-request-id", event.requestContext.requestId)
  }
  const method = http.method.toUpperCase()
  const hasBody = event.body !== undefined && method !== "GET" && method !== "HEAD"
  const body = !hasBody
    ? undefined
    : event.isBase64Encoded === true
      ? Buffer.from(event.body!, "base64")
      : event.body
  return new Request(url, { method, headers, ...(body === undefined ? {} : { body }) })
}

const textual =
  /^(text\/|application\/(json|problem\+json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i

/** Turns a fetch `Response` into a 2.0 result (binary bodies base64-encoded). */
export const fromResponse = async (response: Response): Promise<HttpApiResult> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  const bytes = new Uint8Array(await response.arrayBuffer())
  const contentType = response.headers.get("content-type") ?? ""
  // A compressed body is bytes whatever its type says (gzip of text/html is not text).
  const isText =
    (bytes.length === 0 || textual.test(contentType)) && !response.headers.has("content-encoding")
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: isText ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString("base64"),
    isBase64Encoded: !isText
  }
}
