/**
 * Branded identifiers. Decode them at the edge (HTTP, SQL rows); inside the core an id of one kind
 * can never be passed where another is expected. New ids come from a CSPRNG ({@link randomUuid}).
 */
import { Effect, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"

/** Web Crypto's `getRandomValues`, for when no `SecureRandom` service is provided. */
const webCrypto = SecureRandom.make(SecureRandom.randomBytesUnsafe)

/**
 * The cryptographically secure generator of this fiber: the `SecureRandom` service when one is
 * provided (a platform's, or a test's fixed byte source), else Web Crypto's. Never `Random`, whose
 * values are predictable from its seed.
 */
export const secureRandom: Effect.Effect<SecureRandom.SecureRandom["Service"]> = Effect.map(
  Effect.serviceOption(SecureRandom.SecureRandom),
  Option.getOrElse(() => webCrypto)
)

/** A fresh random (version 4) UUID from {@link secureRandom}: what every new id is. */
export const randomUuid: Effect.Effect<string> = Effect.flatMap(secureRandom, (random) => random.uuidV4())

/** A customer (tenant) id: a UUID. */
export const CustomerId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("CustomerId"))
export type CustomerId = typeof CustomerId.Type

/** An invoice id: a UUID. */
export const InvoiceId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("InvoiceId"))
export type InvoiceId = typeof InvoiceId.Type

/** A price book id such as `securebase-2026`. */
export const PriceBookId = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9._-]{0,63}$/u, {
    message: "expected a lowercase id such as securebase-2026"
  })
).pipe(Schema.brand("PriceBookId"))
export type PriceBookId = typeof PriceBookId.Type

/**
 * The idempotency key of a usage event, chosen by the sender: the same key sent twice is the same
 * event and is counted once.
 */
export const UsageEventId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._:\-/]{1,128}$/, {
    message: "expected 1-128 characters of letters, digits and . _ : - /"
  })
).pipe(Schema.brand("UsageEventId"))
export type UsageEventId = typeof UsageEventId.Type
