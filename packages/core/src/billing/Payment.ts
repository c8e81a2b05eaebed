/**
 * Payments received against an invoice: an amount in the invoice's minor units, how it was paid,
 * the payer's reference, when it was paid, and the client's idempotency key (the same key sent
 * twice is one payment; see {@link ./RecordPayment.ts}).
 */
import { Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId, InvoiceId } from "../Ids.ts"
import { FromRfc3339 } from "../Instant.ts"
import { Currency } from "../money/Currency.ts"
import { MinorUnits } from "../money/Money.ts"
import * as Text from "../Text.ts"

/** A payment id: a UUID. */
export const PaymentId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("PaymentId"))
export type PaymentId = typeof PaymentId.Type

/** How a payment was made. */
export const PaymentMethod = Schema.Literals([
  "bank_transfer",
  "card",
  "check",
  "cash",
  "direct_debit",
  "other"
]).annotate({ identifier: "PaymentMethod" })
export type PaymentMethod = typeof PaymentMethod.Type

/**
 * The client's idempotency key of a payment (unique per customer): 1-128 characters of letters,
 * digits and `. _ : - /`, like a usage event id.
 */
export const IdempotencyKey = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._:\-/]{1,128}$/, {
    message: "expected 1-128 characters of letters, digits and . _ : - /"
  })
).pipe(Schema.brand("IdempotencyKey"))
export type IdempotencyKey = typeof IdempotencyKey.Type

/** The payer's reference (a wire reference, a check number): one line, 1-200 characters. */
export const PaymentReference = Text.singleLine({ minimum: 1, maximum: 200, trimmed: true })

/** What an operator records: a strictly positive amount in the invoice's currency. */
export const PaymentInput = Schema.Struct({
  amount: MinorUnits.check(
    Schema.isGreaterThanBigInt(0n, { message: "a payment must be more than zero" })
  ).pipe(
    FieldDoc.describe(
      "The amount received, in the invoice's minor units, more than zero and at most the amount due."
    )
  ),
  method: PaymentMethod.pipe(FieldDoc.describe("How it was paid.")),
  reference: PaymentReference.pipe(
    FieldDoc.describe("The payer's reference (a wire reference, a check number).")
  ),
  /** When the money arrived (RFC 3339); not after the moment it is recorded. */
  paidAt: FromRfc3339.pipe(FieldDoc.describe("When the money arrived, RFC 3339 UTC; not later than now.")),
  idempotencyKey: IdempotencyKey.pipe(
    FieldDoc.describe(
      "The client's key: the same key and body records one payment; another body with it is 409."
    )
  )
})
  .annotate({ identifier: "PaymentInput" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          amount: "50000",
          method: "bank_transfer",
          reference: "WIRE 2026-11-05 #7781",
          paidAt: "2026-11-05T10:00:00Z",
          idempotencyKey: "wire-7781"
        }
      ]
    })
  )
export interface PaymentInput extends Schema.Schema.Type<typeof PaymentInput> {}

/** A recorded payment. */
export const Payment = Schema.Struct({
  id: PaymentId.pipe(FieldDoc.describe("The payment's id, a UUID.")),
  invoiceId: InvoiceId.pipe(FieldDoc.describe("The invoice paid.")),
  customerId: CustomerId.pipe(FieldDoc.describe("The invoice's customer.")),
  currency: Currency.pipe(FieldDoc.describe("The invoice's currency.")),
  amount: MinorUnits.pipe(FieldDoc.describe("The amount received, in minor units.")),
  method: PaymentMethod.pipe(FieldDoc.describe("How it was paid.")),
  reference: Schema.String.pipe(FieldDoc.describe("The payer's reference.")),
  paidAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the money arrived, RFC 3339 UTC.")),
  idempotencyKey: IdempotencyKey.pipe(
    FieldDoc.describe("The client's idempotency key it was recorded under.")
  ),
  recordedAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When it was recorded, RFC 3339 UTC."))
}).annotate({ identifier: "Payment" })
export interface Payment extends Schema.Schema.Type<typeof Payment> {}

/**
 * Whether a stored payment is what `input` asks for on `invoiceId`: the test of an idempotent
 * replay (same key and same body) against a reuse of the key for something else.
 */
export const sameRequest = (payment: Payment, invoiceId: InvoiceId, input: PaymentInput): boolean =>
  payment.invoiceId === invoiceId &&
  payment.amount === input.amount &&
  payment.method === input.method &&
  payment.reference === input.reference &&
  payment.paidAt.epochMilliseconds === input.paidAt.epochMilliseconds
