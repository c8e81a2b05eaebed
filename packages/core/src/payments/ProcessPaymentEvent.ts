/**
 * What a verified provider event does, exactly once: in one worker transaction the event id is
 * recorded (`PaymentRecords.recordEvent`) with its effect; a duplicate finds the id recorded and
 * does nothing. Events about one invoice may arrive in any order: the invoice link keeps the
 * creation time of the event that set its state, and an older event never moves it back
 * (a `payment_failed` created before the `paid` that already arrived changes nothing).
 *
 * - `invoice.paid`, `payment_intent.succeeded` (with our invoice id in its metadata): the invoice
 *   is marked paid with the provider's invoice id as its payment reference, the attempt recorded,
 *   `invoice.paid_by_provider` audited;
 * - `invoice.payment_failed`: the attempt recorded with its reason and `invoice.payment_failed`
 *   audited (the note a dunning step starts from);
 * - `customer.updated`, `customer.subscription.*`: `ProcessCustomerEvent`;
 * - anything else (`charge.refunded`, unknown types): acknowledged, recorded and logged, with no
 *   effect.
 */
import { Effect, Option } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import * as InvoiceLifecycle from "../billing/InvoiceLifecycle.ts"
import { InvoiceRepo } from "../billing/InvoiceRepo.ts"
import type { InvoiceId } from "../Ids.ts"
import { CurrentPrincipal, Tenancy } from "../tenancy/Tenancy.ts"
import type { PaymentEvent } from "./PaymentEvent.ts"
import { type InvoiceLink, PaymentRecords } from "./PaymentRecords.ts"
import * as ProcessCustomerEvent from "./ProcessCustomerEvent.ts"
import { paymentsWorker } from "./PushDelivery.ts"

/** What processing an event did. */
export type Outcome =
  /** The event changed our state. */
  | "applied"
  /** Already processed: nothing done. */
  | "duplicate"
  /** Older than the state it would change: recorded, nothing changed. */
  | "stale"
  /** About an invoice that is not ours (or not pushed): recorded, nothing changed. */
  | "unmatched"
  /** A type we do not act on: recorded and logged. */
  | "ignored"

const paidTypes = new Set(["invoice.paid", "payment_intent.succeeded"])

const linkOf = (event: PaymentEvent) =>
  Effect.gen(function* () {
    const records = yield* PaymentRecords
    const facts = event.invoice
    if (facts === null) return Option.none<InvoiceLink>()
    if (facts.providerInvoiceId !== null) {
      const link = yield* records.invoiceOfProvider(event.provider, facts.providerInvoiceId)
      if (Option.isSome(link)) return link
    }
    return facts.securebaseInvoiceId === null || !/^[0-9a-f-]{36}$/i.test(facts.securebaseInvoiceId)
      ? Option.none<InvoiceLink>()
      : yield* records.invoiceLink(facts.securebaseInvoiceId as InvoiceId)
  })

const audit = (link: InvoiceLink, action: WorkerAction, payload: Record<string, string | null>) =>
  AuditLog.use((a) =>
    a.append(
      new NewAuditEvent({
        customerId: link.customerId,
        action: action as AuditAction,
        subjectType: "invoice",
        subjectId: link.invoiceId,
        payload
      })
    )
  )

const apply = (event: PaymentEvent, found: Option.Option<InvoiceLink>) =>
  Effect.gen(function* () {
    const records = yield* PaymentRecords
    const isPaid = paidTypes.has(event.type)
    if (!isPaid && event.type !== "invoice.payment_failed") return "ignored" as Outcome
    if (Option.isNone(found) || event.invoice === null) return "unmatched" as Outcome
    const link = found.value
    const facts = event.invoice
    const attempt = {
      invoiceId: link.invoiceId,
      customerId: link.customerId,
      provider: event.provider,
      eventId: event.id,
      amount: facts.amount,
      currency: facts.currency,
      occurredAt: event.createdAt
    }
    // The link's row lock (taken by the update) orders concurrent events about one invoice.
    const moved = yield* records.advanceInvoiceState(
      link.invoiceId,
      isPaid ? "paid" : "payment_failed",
      event.createdAt
    )
    yield* records.recordAttempt({
      ...attempt,
      outcome: isPaid ? "succeeded" : "failed",
      reason: isPaid ? null : (facts.reason ?? "payment failed")
    })
    if (!moved) return "stale" as Outcome
    if (!isPaid) {
      yield* audit(link, "invoice.payment_failed", {
        provider: event.provider,
        eventId: event.id,
        reason: facts.reason ?? "payment failed",
        amount: facts.amount.toString(),
        currency: facts.currency
      })
      return "applied" as Outcome
    }
    const invoice = yield* InvoiceRepo.use((r) => r.findById(link.invoiceId))
    if (invoice.status === "paid" || invoice.status === "cancelled") return "stale" as Outcome
    const paid = yield* InvoiceLifecycle.markPaid(invoice, {
      at: event.createdAt,
      reference: `${event.provider}:${link.providerInvoiceId}`
    })
    yield* InvoiceRepo.use((r) => r.updateLifecycle(paid))
    yield* audit(link, "invoice.paid_by_provider", {
      provider: event.provider,
      eventId: event.id,
      providerInvoiceId: link.providerInvoiceId,
      amount: facts.amount.toString(),
      currency: facts.currency
    })
    return "applied" as Outcome
  })

/** Processes a verified event once (see the module comment). */
export const process = Effect.fn("ProcessPaymentEvent.process")(function* (event: PaymentEvent) {
  if (ProcessCustomerEvent.handles(event.type)) return yield* ProcessCustomerEvent.process(event)
  const tenancy = yield* Tenancy
  const outcome = yield* tenancy
    .runAsWorker(
      Effect.gen(function* () {
        const records = yield* PaymentRecords
        const found = yield* linkOf(event)
        const customerId = Option.match(found, { onNone: () => null, onSome: (l) => l.customerId })
        const fresh = yield* records.recordEvent({
          provider: event.provider,
          id: event.id,
          type: event.type,
          createdAt: event.createdAt,
          customerId
        })
        if (!fresh) return "duplicate" as Outcome
        return yield* apply(event, found)
      })
    )
    .pipe(Effect.provideService(CurrentPrincipal, paymentsWorker))
  if (outcome === "ignored" || outcome === "unmatched")
    yield* Effect.logInfo(`payment event ${event.id} (${event.type}) acknowledged: ${outcome}`)
  return outcome
})
