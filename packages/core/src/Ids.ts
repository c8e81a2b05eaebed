/**
 * Branded identifiers. Decode them at the edge (HTTP, SQL rows); inside the core an id of one kind
 * can never be passed where another is expected.
 */
import { Schema } from "effect"

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
