/**
 * Recording a payment against an invoice, as its customer, in one transaction: lock the invoice,
 * answer a replay of the same idempotency key with the payment it recorded (a reuse of the key for
 * another request is refused), apply the payment ({@link ./Receivables.ts}), store it, store the
 * invoice `paid` when nothing is left due, and append `invoice.payment_recorded` (and
 * `invoice.paid`) to the customer's audit chain.
 *
 * `recordIn` is the same inside a transaction the caller holds (the payments worker's, which
 * records the provider's event id with the payment); `record` opens the customer's.
 */
import { DateTime, Effect, Option } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import * as Ids from "../Ids.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import type { Invoice } from "./Invoice.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import * as Payment from "./Payment.ts"
import * as Receivables from "./Receivables.ts"
import { ReceivablesRepo } from "./ReceivablesRepo.ts"

/** What recording a payment did. */
export interface Recorded {
  readonly payment: Payment.Payment
  /** The invoice's account after the payment. */
  readonly account: Receivables.Account
  /** True when the key had already recorded this payment: nothing new was stored. */
  readonly replayed: boolean
}

/** Records `input` against `invoiceId` of `customerId` in its own transaction (see the module comment). */
export const record = Effect.fn("RecordPayment.record")(function* (
  customerId: CustomerId,
  invoiceId: InvoiceId,
  input: Payment.PaymentInput
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(customerId, recordIn(customerId, invoiceId, input))
})

/** Records `input` against `invoiceId` of `customerId` in the caller's transaction. */
export const recordIn = (customerId: CustomerId, invoiceId: InvoiceId, input: Payment.PaymentInput) =>
  Effect.gen(function* () {
    const repo = yield* ReceivablesRepo
    // The lock comes first: a concurrent request with the same key waits here, then finds the
    // payment the first one committed and replays it.
    const account = yield* repo.account(invoiceId, { lock: true })
    const replay = (existing: Payment.Payment) =>
      Payment.sameRequest(existing, invoiceId, input)
        ? Effect.map(repo.account(existing.invoiceId, { lock: false }), (after) => ({
            payment: existing,
            account: after,
            replayed: true
          }))
        : Effect.fail(new Receivables.IdempotencyKeyReused({ idempotencyKey: input.idempotencyKey }))
    const earlier = yield* repo.paymentByKey(customerId, input.idempotencyKey)
    if (Option.isSome(earlier)) return yield* replay(earlier.value)

    const at = yield* DateTime.now
    const id = (yield* Ids.randomUuid) as Payment.PaymentId
    const { payment, invoice } = yield* Receivables.applyPayment(account, { id, input, at })
    const stored = yield* repo.insertPayment(payment)
    // Another invoice's transaction committed the same key since we looked.
    if (stored._tag === "Exists") return yield* replay(stored.payment)
    const after: Receivables.Account = { ...account, invoice, payments: [...account.payments, payment] }
    if (invoice.status !== account.invoice.status) yield* InvoiceRepo.use((r) => r.updateLifecycle(invoice))
    const audit = yield* AuditLog
    yield* audit.append(
      new NewAuditEvent({
        customerId,
        action: "invoice.payment_recorded" as AuditAction,
        subjectType: "invoice",
        subjectId: invoiceId,
        payload: {
          number: invoice.number,
          paymentId: payment.id,
          amount: payment.amount.toString(),
          currency: payment.currency,
          method: payment.method,
          reference: payment.reference,
          paidAt: DateTime.formatIso(payment.paidAt),
          idempotencyKey: payment.idempotencyKey,
          amountDue: Receivables.amountDue(after).toString()
        }
      })
    )
    yield* auditSettled(account.invoice, invoice, { by: "payment", paymentId: payment.id })
    return { payment, account: after, replayed: false } satisfies Recorded
  }).pipe(Effect.withSpan("RecordPayment.recordIn"))

/**
 * Appends `invoice.paid` to the customer's chain when a settlement (a payment, a credit note) moved
 * the invoice from `before` to paid; nothing when it was paid already or is still due. `by` names
 * what settled it.
 */
export const auditSettled = (
  before: Invoice,
  after: Invoice,
  by:
    | { readonly by: "payment"; readonly paymentId: string }
    | { readonly by: "credit_note"; readonly creditNoteId: string }
) =>
  after.status === "paid" && before.status !== "paid"
    ? AuditLog.use((audit) =>
        audit.append(
          new NewAuditEvent({
            customerId: after.customerId,
            action: "invoice.paid" as AuditAction,
            subjectType: "invoice",
            subjectId: after.id,
            payload: { number: after.number, ...by }
          })
        )
      )
    : Effect.void
