/**
 * What a verified provider event does, exactly once: in one worker transaction the event id is
 * claimed (`PaymentRecords.recordEvent`) and its effect applied; a duplicate finds the id recorded
 * and does nothing. The claim is settled after the transaction (`settleEvent`: done, or released
 * when the effect failed), for records kept outside PostgreSQL. Events about one invoice may
 * arrive in any order: the invoice link keeps the creation time of the event that set its state,
 * and an older event never moves it back (a `payment_failed` created before the `paid` that
 * already arrived changes nothing).
 *
 * - `invoice.paid`, `payment_intent.succeeded` (with our invoice id in its metadata): a payment is
 *   recorded through the receivables (`RecordPayment.recordIn`: `invoice.payment_recorded`, and
 *   `invoice.paid` when nothing is left due), under the idempotency key `<provider>:<id>` of the
 *   provider's invoice (so the `invoice.paid` and the `payment_intent.succeeded` of one invoice
 *   payment record it once) or, for a payment naming no provider invoice, of the payment itself.
 *   The key is also the payment's reference (`stripe:in_…`), method `other`. A partial amount
 *   leaves the rest due. The attempt is recorded and `invoice.paid_by_provider`
 *   audited;
 * - `charge.refunded`: the charge's cumulative refunded amount less what has been credited for the
 *   charge already gets one credit note (`IssueCreditNote.issueIn` as a refund: its whole amount
 *   `refunded`, a `CN-` number, `credit_note.issued`), remembered with the charge id
 *   (`PaymentRefunds.recordRefund`), so a redelivered or older event credits nothing and a later
 *   one only the difference; whether the charge lists its refunds or not (Stripe lists them only
 *   when expanded), the amounts are the same;
 * - `invoice_payment.paid` (Stripe's InvoicePayment: our pushed invoice and the payment that paid
 *   it, a PaymentIntent or a charge): a payment of the whole invoice recorded as `invoice.paid`
 *   records it (the same key, so whichever arrives second is a duplicate; a part of the invoice is
 *   left to `invoice.paid`, which reports the total), and the provider payment linked to the
 *   invoice once (`PaymentLinks`); the refunds that were waiting for that link are credited in the
 *   same transaction, oldest first (one of a part whose invoice's payment is not recorded yet waits
 *   on, and the `invoice.paid` that records it credits it);
 * - `charge.refunded` of a charge that names neither our invoice nor its id (a charge paid on the
 *   hosted invoice page): the invoice is the one its payment intent (or the charge) is linked to;
 *   before the link is known, a charge of a provider customer of ours is held (`PendingRefunds`,
 *   outcome `pending`) and credited when the link arrives (or, when none comes, when
 *   `LookUpHeldRefunds` finds the payment at the provider and applies it through this module as
 *   the `invoice_payment.paid` it would have been). Both events take the payment's lock first, so
 *   a refund and the link arriving together cannot miss each other;
 * - `invoice.payment_failed`: the attempt recorded with its reason, and, when the invoice still has
 *   something due, a dunning step `payment_failed` (one per attempt number) with an e-mail to the
 *   customer queued in the outbox, and `invoice.payment_failed` audited;
 * - `customer.updated`, `customer.subscription.*`: `ProcessCustomerEvent`;
 * - anything else (unknown types): acknowledged, recorded and logged, with no effect.
 *
 * An event that contradicts our books (another currency than the invoice's, more than is due or
 * was received, an invoice no longer open) is `refused`: its id recorded, a warning logged,
 * nothing else written; the operator settles it by hand.
 */
import { DateTime, Effect, Option, Schema } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import * as CreditNote from "../billing/CreditNote.ts"
import * as Dunning from "../billing/Dunning.ts"
import { DunningSteps } from "../billing/DunningSteps.ts"
import * as IssueCreditNote from "../billing/IssueCreditNote.ts"
import * as Payment from "../billing/Payment.ts"
import * as Receivables from "../billing/Receivables.ts"
import { ReceivablesRepo } from "../billing/ReceivablesRepo.ts"
import * as RecordPayment from "../billing/RecordPayment.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import * as PaymentFailedMail from "../notifications/PaymentFailedMail.ts"
import * as EventClaim from "./EventClaim.ts"
import type { PaymentEvent, Refund } from "./PaymentEvent.ts"
import { PaymentLinks } from "./PaymentLinks.ts"
import { type InvoiceLink, type PaymentAttempt, PaymentRecords } from "./PaymentRecords.ts"
import { PaymentRefunds } from "./PaymentRefunds.ts"
import { type PendingRefund, PendingRefunds } from "./PendingRefunds.ts"
import * as ProcessCustomerEvent from "./ProcessCustomerEvent.ts"

/** What processing an event did. */
export type Outcome =
  /** The event changed our state. */
  | "applied"
  /** Already processed (this event, or another reporting the same payment or refunds): nothing done. */
  | "duplicate"
  /** Older than the state it would change: recorded, nothing changed. */
  | "stale"
  /** About an invoice that is not ours (or not pushed): recorded, nothing changed. */
  | "unmatched"
  /** Contradicts our books (currency, amount, invoice state): recorded and logged, nothing changed. */
  | "refused"
  /** A type we do not act on: recorded and logged. */
  | "ignored"
  /** A refund whose payment is not linked to our invoice yet: recorded, credited when the link arrives. */
  | "pending"

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
    if (facts.securebaseInvoiceId !== null && /^[0-9a-f-]{36}$/i.test(facts.securebaseInvoiceId)) {
      const link = yield* records.invoiceLink(facts.securebaseInvoiceId as InvoiceId)
      if (Option.isSome(link)) return link
    }
    // A refund of a charge naming neither: the invoice its payment paid, once an
    // `invoice_payment.paid` linked them. The payment's lock first, held to the end of the
    // transaction: the event that links it waits, or has committed and is seen here.
    const paymentId = refundPaymentOf(event)
    if (paymentId === null) return Option.none<InvoiceLink>()
    const links = yield* PaymentLinks
    yield* links.lockPayment(event.provider, paymentId)
    const paid = yield* links.linkOf(event.provider, paymentId)
    return Option.isNone(paid) ? Option.none<InvoiceLink>() : yield* records.invoiceLink(paid.value.invoiceId)
  })

/** The provider payment a refund event's charge belongs to, when usable as a link key. */
const refundPaymentOf = (event: PaymentEvent): string | null => {
  const id = event.type === "charge.refunded" ? (event.invoice?.linkedPaymentId ?? null) : null
  return id !== null && id.length <= 255 ? id : null
}

/** The attempt `event` makes on `link`'s invoice, as the payment records keep it (once per event). */
const recordAttempt = (
  link: InvoiceLink,
  event: PaymentEvent,
  outcome: PaymentAttempt["outcome"],
  amount: bigint,
  currency: PaymentAttempt["currency"],
  reason: string | null = null
) =>
  PaymentRecords.use((r) =>
    r.recordAttempt({
      invoiceId: link.invoiceId,
      customerId: link.customerId,
      provider: event.provider,
      eventId: event.id,
      amount,
      currency,
      occurredAt: event.createdAt,
      outcome,
      reason
    })
  )

const audit = (link: InvoiceLink, action: WorkerAction, payload: Record<string, string | number | null>) =>
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

/** Refused: the event's id stays recorded (it will not be retried), the operator is told why. */
const refuse = (event: PaymentEvent, why: string) =>
  Effect.as(
    Effect.logWarning(`payment event ${event.id} (${event.type}) refused: ${why}`),
    "refused" as Outcome
  )

const providerName = (provider: string) => (provider === "stripe" ? "Stripe" : provider)

type Facts = NonNullable<PaymentEvent["invoice"]>

const applyPaid = (event: PaymentEvent, link: InvoiceLink, facts: Facts) =>
  Effect.gen(function* () {
    const records = yield* PaymentRecords
    // The invoice's row lock, then the link's: the order every event of this module takes them.
    const account = yield* ReceivablesRepo.use((r) => r.account(link.invoiceId, { lock: true }))
    const invoice = account.invoice
    if (facts.currency !== invoice.currency)
      return yield* refuse(
        event,
        `paid in ${facts.currency}, invoice ${invoice.number} is in ${invoice.currency}`
      )
    if (facts.amount <= 0n) return yield* refuse(event, "no amount paid")
    // One provider invoice is paid once, whichever of its events reports it.
    const paidObject = facts.providerInvoiceId ?? facts.paymentId ?? event.id
    const key = `${event.provider}:${paidObject}`
    if (!Schema.is(Payment.IdempotencyKey)(key))
      return yield* refuse(event, `unusable payment id ${paidObject}`)
    const now = yield* DateTime.now
    // The provider's clock may run ahead of ours; a payment is never dated after it is recorded.
    const paidAt = DateTime.min(event.createdAt, now)
    const recorded = yield* RecordPayment.recordIn(link.customerId, link.invoiceId, {
      amount: facts.amount,
      method: "other",
      // The same text the invoice keeps as its payment reference when this payment settles it.
      reference: key,
      paidAt,
      idempotencyKey: key
    }).pipe(
      Effect.map((r) =>
        r.replayed ? ({ _tag: "Duplicate" } as const) : ({ _tag: "Recorded", ...r } as const)
      ),
      // The same key from another event about the same payment (its `paidAt` differs).
      Effect.catchTag("IdempotencyKeyReused", () => Effect.succeed({ _tag: "Duplicate" } as const)),
      Effect.catchTags({
        Overpayment: (e) => Effect.succeed({ _tag: "Refused", why: e.message } as const),
        InvoiceNotOpen: (e) => Effect.succeed({ _tag: "Refused", why: e.message } as const),
        PaymentInFuture: (e) => Effect.succeed({ _tag: "Refused", why: e.message } as const)
      })
    )
    if (recorded._tag === "Refused") return yield* refuse(event, recorded.why)
    if (recorded._tag === "Duplicate") return "duplicate" as Outcome
    const { payment } = recorded
    // The link's row lock (taken by the update) orders concurrent events about one invoice; the
    // money arrived whatever the order, so the payment stands even when the state does not move.
    yield* records.advanceInvoiceState(link.invoiceId, "paid", event.createdAt)
    yield* recordAttempt(link, event, "succeeded", facts.amount, facts.currency)
    yield* audit(link, "invoice.paid_by_provider", {
      provider: event.provider,
      eventId: event.id,
      providerInvoiceId: link.providerInvoiceId,
      paymentId: payment.id,
      amount: facts.amount.toString(),
      currency: facts.currency,
      amountDue: Receivables.amountDue(recorded.account).toString()
    })
    // Refunds of a part of this invoice, held because their link came before this payment.
    const held = yield* PendingRefunds.use((p) => p.takeForInvoice(event.provider, link.invoiceId))
    yield* creditHeld(link, held)
    return "applied" as Outcome
  })

/**
 * The credit note's reason: the provider and the charge, and the refunds the event lists when the
 * newest of them (Stripe lists newest first) add up exactly to the amount credited.
 */
export const refundReason = (
  provider: string,
  chargeId: string,
  listed: ReadonlyArray<Refund>,
  amount: bigint
): string => {
  const named: Array<string> = []
  let covered = 0n
  for (const refund of listed) {
    if (covered >= amount) break
    named.push(refund.id)
    covered += refund.amount
  }
  const base = `Refunded through ${providerName(provider)} (${chargeId}`
  const withRefunds = `${base}: ${named.join(", ")})`
  return covered === amount && named.length > 0 && Schema.is(CreditNote.CreditNoteText)(withRefunds)
    ? withRefunds
    : `${base})`
}

/**
 * Credits a refund event. `held` is the refund as it was held (`PendingRefunds`), when it comes
 * from there: if the invoice's payment has not been recorded yet (its link arrived before the
 * `invoice.paid` of an invoice paid in parts), it is held again rather than refused.
 */
const applyRefunded = (event: PaymentEvent, link: InvoiceLink, facts: Facts, held?: PendingRefund) =>
  Effect.gen(function* () {
    // Stripe's charges list their refunds only when expanded: the charge's cumulative refunded
    // amount (`amount_refunded`) is what every `charge.refunded` carries.
    const chargeId = facts.paymentId ?? null
    if (chargeId === null || chargeId.length > 255 || !Schema.is(CreditNote.CreditNoteText)(chargeId))
      return yield* refuse(event, "the event names no usable charge")
    if (facts.amount <= 0n) return yield* refuse(event, "no amount refunded")
    const account = yield* ReceivablesRepo.use((r) => r.account(link.invoiceId, { lock: true }))
    if (facts.currency !== account.invoice.currency)
      return yield* refuse(
        event,
        `refunded in ${facts.currency}, invoice ${account.invoice.number} is in ${account.invoice.currency}`
      )
    // Under the invoice's lock: a concurrent event about the charge waits, then counts this credit.
    const credited = yield* PaymentRefunds.use((store) => store.creditedForCharge(event.provider, chargeId))
    // A redelivery, or an older event (a smaller cumulative amount) arriving late: nothing new.
    const amount = facts.amount - credited
    if (amount <= 0n) return "duplicate" as Outcome
    // Checked before a number is taken: too much is refused whole.
    const creditable = yield* Receivables.checkCreditNote(account, { reason: "refund", amount }).pipe(
      Effect.map(() => null),
      Effect.catch((e) => Effect.succeed(e.message))
    )
    if (creditable !== null) return yield* refuse(event, creditable)
    const received = yield* Receivables.checkRefund(account, amount).pipe(
      Effect.map(() => null),
      Effect.catch((e) => Effect.succeed(e.message))
    )
    if (received !== null) {
      // More than we have received while the invoice is still due: its payment is on its way.
      if (held !== undefined && Receivables.amountDue(account) > 0n) {
        yield* PendingRefunds.use((p) => p.hold(held))
        return "pending" as Outcome
      }
      return yield* refuse(event, received)
    }
    const { creditNote } = yield* IssueCreditNote.issueIn(
      link.customerId,
      link.invoiceId,
      { reason: refundReason(event.provider, chargeId, facts.refunds ?? [], amount), amount },
      { refund: true }
    ).pipe(
      // Checked above under the same lock: a refusal now is a bug, not an event to acknowledge.
      Effect.catchTags({
        InvoiceNotOpen: Effect.die,
        CreditExceedsInvoiced: Effect.die,
        UnknownInvoiceLine: Effect.die,
        RefundExceedsReceived: Effect.die
      })
    )
    yield* PaymentRefunds.use((store) =>
      store.recordRefund({
        provider: event.provider,
        providerChargeId: chargeId,
        customerId: link.customerId,
        invoiceId: link.invoiceId,
        creditNoteId: creditNote.id,
        amount,
        eventId: event.id
      })
    )
    yield* recordAttempt(link, event, "refunded", amount, facts.currency)
    return "applied" as Outcome
  })

/** The refund event a held refund was. */
const heldEvent = (pending: PendingRefund): PaymentEvent => ({
  provider: pending.provider,
  id: pending.eventId,
  type: "charge.refunded",
  createdAt: pending.occurredAt,
  invoice: {
    providerInvoiceId: null,
    securebaseInvoiceId: null,
    paymentId: pending.providerChargeId,
    linkedPaymentId: pending.providerPaymentId,
    amount: pending.amount,
    currency: pending.currency,
    reason: null,
    refunds: pending.refunds
  },
  providerCustomerId: null
})

/** Credits held refunds of the invoice (oldest first); true when any was credited. */
const creditHeld = (link: InvoiceLink, waiting: ReadonlyArray<PendingRefund>) =>
  Effect.gen(function* () {
    let credited = false
    for (const pending of waiting) {
      const refund = heldEvent(pending)
      const outcome =
        pending.customerId === link.customerId
          ? yield* applyRefunded(refund, link, refund.invoice!, pending)
          : yield* refuse(refund, `the charge's customer is not invoice ${link.invoiceId}'s`)
      if (outcome === "applied") credited = true
    }
    return credited
  })

const applyFailed = (event: PaymentEvent, link: InvoiceLink, facts: Facts) =>
  Effect.gen(function* () {
    const records = yield* PaymentRecords
    const reason = facts.reason ?? "payment failed"
    // The invoice's row lock first, as a payment takes it (one order of locks, no deadlock); then
    // the link's (taken by the update), which orders concurrent events about one invoice.
    const account = yield* ReceivablesRepo.use((r) => r.account(link.invoiceId, { lock: true }))
    const moved = yield* records.advanceInvoiceState(link.invoiceId, "payment_failed", event.createdAt)
    yield* recordAttempt(link, event, "failed", facts.amount, facts.currency, reason)
    if (!moved) return "stale" as Outcome
    const due = Receivables.amountDue(account)
    // Paid (or voided) since the attempt: nothing to chase.
    if (due <= 0n) return "stale" as Outcome
    const { invoice } = account
    const at = yield* DateTime.now
    const attempt = Math.min(Math.max(facts.attempt ?? 1, 1), 3650)
    const daysPastDue = Dunning.daysPastDue(invoice, at)
    const customer = yield* CustomerRepo.use((r) => r.findById(link.customerId))
    const notificationId = yield* Notification.makeId
    // One step per attempt: two events reporting one attempt send one e-mail.
    const recorded = yield* DunningSteps.use((d) =>
      d.record({
        kind: "payment_failed",
        days: attempt,
        customerId: link.customerId,
        invoiceId: link.invoiceId,
        daysPastDue,
        notificationId,
        at
      })
    )
    if (recorded)
      yield* Outbox.use((o) =>
        o.enqueue({
          id: notificationId,
          customerId: customer.id,
          channel: "email",
          template: "payment_failed",
          recipient: customer.email,
          ...PaymentFailedMail.render(invoice, customer, { amountDue: due, reason, attempt }),
          data: { invoiceId: invoice.id, invoiceNumber: invoice.number ?? "", attempt: String(attempt) },
          createdAt: at
        })
      )
    yield* audit(link, "invoice.payment_failed", {
      provider: event.provider,
      eventId: event.id,
      reason,
      amount: facts.amount.toString(),
      currency: facts.currency,
      attempt,
      amountDue: due.toString(),
      notificationId: recorded ? notificationId : null
    })
    return "applied" as Outcome
  })

/**
 * `invoice_payment.paid`: the payment recorded (as `invoice.paid` records it) when it paid the
 * whole invoice, the provider payment linked to the invoice, and the refunds waiting for that link
 * credited. The link is a fact about the provider's objects: it stays even when our books refuse
 * the payment (an invoice an operator settled by hand), so a later refund is still checked
 * against what we received.
 */
const applyInvoicePayment = (event: PaymentEvent, link: InvoiceLink, facts: Facts) =>
  Effect.gen(function* () {
    const links = yield* PaymentLinks
    // A payment Stripe records out of band names no PaymentIntent or charge: nothing to link.
    const paymentId =
      facts.linkedPaymentId != null && facts.linkedPaymentId.length <= 255 ? facts.linkedPaymentId : null
    // The payment's lock, then the invoice's (the order a refund looking for this link takes
    // them), before the link's row references the invoice: its key-share lock, taken first, would
    // deadlock with another payment of the invoice waiting for the row lock.
    if (paymentId !== null) yield* links.lockPayment(event.provider, paymentId)
    const account = yield* ReceivablesRepo.use((r) => r.account(link.invoiceId, { lock: true }))
    let linked = false
    if (paymentId !== null) {
      const stored = yield* links.link({
        provider: event.provider,
        providerPaymentId: paymentId,
        customerId: link.customerId,
        invoiceId: link.invoiceId,
        eventId: event.id
      })
      if (stored.link.invoiceId !== link.invoiceId)
        return yield* refuse(
          event,
          `payment ${paymentId} is linked to invoice ${stored.link.invoiceId} already`
        )
      linked = stored.created
    }
    // One payment of the whole invoice is the payment `invoice.paid` reports (the same key records
    // it once, whichever comes first). One of several (Stripe's partial payments) is not recorded
    // here: the invoice's key would keep the first part only, and `invoice.paid` records the total.
    const paid =
      facts.amount === account.invoice.total
        ? yield* applyPaid(event, link, facts)
        : ((paymentId === null ? "ignored" : "duplicate") as Outcome)
    const waiting =
      paymentId === null ? [] : yield* PendingRefunds.use((p) => p.take(event.provider, paymentId))
    const credited = yield* creditHeld(link, waiting)
    return linked || credited ? ("applied" as Outcome) : paid
  })

const holdRefund = (event: PaymentEvent, customerId: CustomerId, paymentId: string, facts: Facts) =>
  Effect.gen(function* () {
    const chargeId = facts.paymentId ?? null
    // What `applyRefunded` would refuse at once is refused now, not held.
    if (chargeId === null || chargeId.length > 255 || !Schema.is(CreditNote.CreditNoteText)(chargeId))
      return yield* refuse(event, "the event names no usable charge")
    if (facts.amount <= 0n) return yield* refuse(event, "no amount refunded")
    if (!/^[A-Z]{3}$/.test(facts.currency)) return yield* refuse(event, "the event names no currency")
    yield* PendingRefunds.use((p) =>
      p.hold({
        provider: event.provider,
        eventId: event.id,
        providerPaymentId: paymentId,
        providerChargeId: chargeId,
        customerId,
        amount: facts.amount,
        currency: facts.currency,
        refunds: facts.refunds ?? [],
        occurredAt: event.createdAt
      })
    )
    yield* Effect.logInfo(
      `payment event ${event.id} (${event.type}) pending: waiting for the invoice payment of ${paymentId}`
    )
    return "pending" as Outcome
  })

/**
 * The customer of ours a refund waits for, when its invoice is not known yet: the charge's payment
 * is not linked, and its provider customer is one we created. A charge of anyone else is not ours.
 */
const waitingCustomer = (event: PaymentEvent) =>
  Effect.gen(function* () {
    if (refundPaymentOf(event) === null || event.providerCustomerId === null) return Option.none<CustomerId>()
    return yield* PaymentRecords.use((r) => r.customerOfProvider(event.provider, event.providerCustomerId!))
  })

const apply = (event: PaymentEvent, found: Option.Option<InvoiceLink>) =>
  Effect.gen(function* () {
    const isPaid = paidTypes.has(event.type)
    const isRefund = event.type === "charge.refunded"
    const isInvoicePayment = event.type === "invoice_payment.paid"
    if (!isPaid && !isRefund && !isInvoicePayment && event.type !== "invoice.payment_failed")
      return "ignored" as Outcome
    if (Option.isNone(found) || event.invoice === null) return "unmatched" as Outcome
    if (isPaid) return yield* applyPaid(event, found.value, event.invoice)
    if (isRefund) return yield* applyRefunded(event, found.value, event.invoice)
    if (isInvoicePayment) return yield* applyInvoicePayment(event, found.value, event.invoice)
    return yield* applyFailed(event, found.value, event.invoice)
  })

/** Processes a verified event once (see the module comment). */
export const process = Effect.fn("ProcessPaymentEvent.process")(function* (event: PaymentEvent) {
  if (ProcessCustomerEvent.handles(event.type)) return yield* ProcessCustomerEvent.process(event)
  return yield* processInvoiceEvent(event)
})

/**
 * Processes an event about invoices, payments or refunds once (any but the customer events): what
 * `process` does with them, without needing the customer operations.
 */
export const processInvoiceEvent = Effect.fn("ProcessPaymentEvent.processInvoiceEvent")(function* (
  event: PaymentEvent
) {
  const outcome = yield* EventClaim.once(event, (claim) =>
    Effect.gen(function* () {
      const found = yield* linkOf(event)
      const waiting = Option.isNone(found) ? yield* waitingCustomer(event) : Option.none<CustomerId>()
      const customerId = Option.isSome(found) ? found.value.customerId : Option.getOrNull(waiting)
      const fresh = yield* claim(customerId)
      if (!fresh) return "duplicate" as Outcome
      if (Option.isSome(waiting) && event.invoice !== null)
        return yield* holdRefund(event, waiting.value, refundPaymentOf(event)!, event.invoice)
      return yield* apply(event, found)
    })
  )
  if (outcome === "ignored" || outcome === "unmatched")
    yield* Effect.logInfo(`payment event ${event.id} (${event.type}) acknowledged: ${outcome}`)
  return outcome
})
