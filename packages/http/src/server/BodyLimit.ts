/**
 * Caps request bodies (MAX_BODY_BYTES, 1 MiB by default): a larger body is refused with 413 while
 * it is being read, before it is parsed or buffered whole.
 */
import { ByteSize, Effect } from "effect"
import { HttpIncomingMessage, HttpRouter } from "effect/http"

/** Global middleware setting the body limit of every request. */
export const middleware = (maxBytes: number) =>
  HttpRouter.middleware(
    (httpEffect) =>
      Effect.provideService(httpEffect, HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxBytes)),
    { global: true }
  )
