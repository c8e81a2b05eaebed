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
import { FieldDoc } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiSchema } from "effect/http-api"

const fields = {
  code: Schema.String.pipe(
    FieldDoc.describe("A stable code to switch on, `AREA.REASON`.", ["INVOICE.NOT_FOUND"])
  ),
  message: Schema.String.pipe(
    FieldDoc.describe("What went wrong, for people; may change between versions.", ["invoice not found"])
  ),
  field: Schema.optionalKey(Schema.String).pipe(
    FieldDoc.describe("The offending input of a validation error (a body field, parameter or header).", [
      "id"
    ])
  )
}

/** An error body with its `_tag`, documented like the other fields. */
const body = <Tag extends string>(tag: Tag) => ({
  _tag: Schema.tag(tag).pipe(FieldDoc.describe(`The error's kind: always \`${tag}\` for this status.`)),
  ...fields
})

/** 400: the request is malformed (bad JSON, a field of the wrong type, a bad id). */
export class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", body("BadRequest"), {
  httpApiStatus: 400
}) {}

/** 401: no credentials, or credentials that do not authenticate. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", body("Unauthorized"), {
  httpApiStatus: 401
}) {}

/** 403: authenticated, but the key lacks the scope. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", body("Forbidden"), {
  httpApiStatus: 403
}) {}

/** 404: no such object for this tenant (another tenant's object is indistinguishable). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", body("NotFound"), {
  httpApiStatus: 404
}) {}

/** 405: the path exists, but not with this method (`Allow` lists the methods it answers). */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()(
  "MethodNotAllowed",
  body("MethodNotAllowed"),
  {
    httpApiStatus: 405
  }
) {}

/** 409: the request conflicts with the current state (an illegal invoice transition, a reused key). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", body("Conflict"), {
  httpApiStatus: 409
}) {}

/** 413: the body is larger than the server accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  body("PayloadTooLarge"),
  {
    httpApiStatus: 413
  }
) {}

/** 415: the body's content type is not one the endpoint reads (JSON everywhere). */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  body("UnsupportedMediaType"),
  {
    httpApiStatus: 415
  }
) {}

/** 422: well-formed but refused by a business rule (the plan's API key limit, say). */
export class Unprocessable extends Schema.TaggedError<Unprocessable>()(
  "Unprocessable",
  body("Unprocessable"),
  {
    httpApiStatus: 422
  }
) {}

/** 429: too many requests from this client; `retryAfterSeconds` mirrors the Retry-After header. */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()(
  "TooManyRequests",
  {
    ...body("TooManyRequests"),
    retryAfterSeconds: Schema.Int.pipe(
      FieldDoc.describe("Whole seconds to wait before retrying, as in the `Retry-After` header.", [30])
    )
  },
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
  body("ServiceUnavailable"),
  {
    httpApiStatus: 503
  }
) {}

/** 500: a bug. The body never carries internals; the log has them under the request id. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  {
    ...body("InternalError"),
    requestId: Schema.String.pipe(
      FieldDoc.describe("The request's id in the server's log, to quote to support.")
    )
  },
  { httpApiStatus: 500 }
) {}
