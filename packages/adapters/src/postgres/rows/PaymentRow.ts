/**
 * The `payments` row (migration 0015), defined once: its schema is the SELECT list and the
 * decoding to a `Payment`, and {@link write} the INSERT's values. Amounts travel as text.
 */
import { Payment } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { select } from "./Columns.ts"

/** A `payments` row as read. */
export const PaymentRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  invoice_id: Schema.String,
  currency: Schema.String,
  amount: Schema.String,
  method: Schema.String,
  reference: Schema.String,
  paid_at: Schema.DateTimeUtcFromDate,
  idempotency_key: Schema.String,
  recorded_at: Schema.DateTimeUtcFromDate
})

/** The SELECT list of {@link PaymentRow} (alias `p`). */
export const columns = select(
  PaymentRow,
  { id: "::text", customer_id: "::text", invoice_id: "::text", amount: "::text" },
  "p"
)

const decodeRow = Schema.decodeUnknownEffect(PaymentRow)
const decodePayment = Schema.decodeUnknownEffect(Payment.Payment)

/** A row selected with {@link columns} as a `Payment`. */
export const read = (raw: unknown) =>
  Effect.flatMap(decodeRow(raw), (r) =>
    decodePayment({
      id: r.id,
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      amount: r.amount,
      method: r.method,
      reference: r.reference,
      paidAt: r.paid_at,
      idempotencyKey: r.idempotency_key,
      recordedAt: r.recorded_at
    })
  )

/** The row a payment is inserted as. */
export const write = (p: Payment.Payment) => ({
  id: p.id,
  customer_id: p.customerId,
  invoice_id: p.invoiceId,
  currency: p.currency,
  amount: p.amount.toString(),
  method: p.method,
  reference: p.reference,
  paid_at: DateTime.formatIso(p.paidAt),
  idempotency_key: p.idempotencyKey,
  recorded_at: DateTime.formatIso(p.recordedAt)
})
