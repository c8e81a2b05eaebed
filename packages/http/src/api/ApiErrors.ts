/**
 * The API's errors. Every error answers one JSON shape:
 *
 * ```json
 * { "_tag": "NotFound", "code": "INVOICE.NOT_FOUND", "message": "invoice not found", "field": "id" }
 * ```
 *
 * `code` is stable (clients switch on it), `message` is for people, `field` names the offending
 * input of a validation error. Status codes are decided here, never in the core.
 */
import { Schema } from "effect"
import { HttpApiSchema } from "effect/http-api"

const fields = {
  code: Schema.String,
  message: Schema.String,
  field: Schema.optionalKey(Schema.String)
}

/** 400: the request is malformed (bad JSON, a field of the wrong type, a bad id). */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", fields, {
  httpApiStatus: 400
}) {}

/** 401: no credentials, or credentials that do not authenticate. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", fields, {
  httpApiStatus: 401
}) {}

/** 403: authenticated, but the key lacks the scope. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", fields, { httpApiStatus: 403 }) {}

/** 404: no such object for this tenant (another tenant's object is indistinguishable). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", fields, { httpApiStatus: 404 }) {}

/** 405: the path exists, but not with this method (`Allow` lists the methods it answers). */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()("MethodNotAllowed", fields, {
  httpApiStatus: 405
}) {}

/** 409: the request conflicts with the current state (an illegal invoice transition, a reused key). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", fields, { httpApiStatus: 409 }) {}

/** 413: the body is larger than the server accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", fields, {
  httpApiStatus: 413
}) {}

/** 415: the body's content type is not one the endpoint reads (JSON everywhere). */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  fields,
  {
    httpApiStatus: 415
  }
) {}

/** 422: well-formed but refused by a business rule (the plan's API key limit, say). */
export class Unprocessable extends Schema.TaggedError<Unprocessable>()("Unprocessable", fields, {
  httpApiStatus: 422
}) {}

/** 429: too many requests from this client; `retryAfterSeconds` mirrors the Retry-After header. */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()(
  "TooManyRequests",
  { ...fields, retryAfterSeconds: Schema.Int },
  { httpApiStatus: 429 }
) {}

/**
 * `TooManyRequests` as endpoints and middleware declare it: the same body, and `Retry-After` (whole
 * seconds, the body's `retryAfterSeconds`) on the response, as RFC 9110 asks of a 429.
 */
export const TooManyRequestsWithRetryAfter = TooManyRequests.pipe(
  HttpApiSchema.encodeToWithHeaders(
    { body: TooManyRequests, headers: { "retry-after": Schema.String } },
    {
      decode: ({ body }) => body,
      encode: (error) => ({ body: error, headers: { "retry-after": String(error.retryAfterSeconds) } })
    }
  )
)

/** 503: a dependency (the database) is unavailable. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  fields,
  {
    httpApiStatus: 503
  }
) {}

/** 500: a bug. The body never carries internals; the log has them under the request id. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { ...fields, requestId: Schema.String },
  { httpApiStatus: 500 }
) {}
