/**
 * Delivery of the push outbox: each queued invoice is created at the payment provider in its own
 * worker transaction, like the e-mail outbox (`Delivery`):
 *
 * 1. `PaymentPushes.claimNext` locks one due push (`FOR UPDATE SKIP LOCKED`);
 * 2. the customer's provider customer is looked up, or created and linked;
 * 3. the invoice is created at the provider, its link (provider id, hosted payment link) stored;
 * 4. the push is marked done, `invoice.pushed` audited, the invoice's e-mail queued with its
 *    "Pay online" link (`InvoiceMail.issued`), and the transaction commits.
 *
 * The e-mail of an invoice collected online is queued here, not when the invoice is issued, so it
 * carries the link; it is queued exactly once, with the push's one move out of `pending`. A push
 * that gives up (after the last attempt, or a failure that cannot pass) still queues it, without a
 * link, saying how else to pay: the customer always gets the invoice, at the latest when the
 * retries run out. An invoice that no longer exists, or is no longer payable (void), gets none,
 * and neither does one queued without notice (`notify` false: history billed after the fact).
 *
 * A provider failure commits what was done (a customer link) and reschedules the push with the
 * outbox's backoff; after the last attempt it is parked as failed, still in the table. An invoice
 * that already has a link is never pushed again, and every provider call carries an idempotency
 * key derived from our ids, so the window between the provider's answer and the commit cannot
 * create a second invoice either.
 */
import { DateTime, Effect, Option, Result } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { Invoice } from "../billing/Invoice.ts"
import { InvoiceRepo } from "../billing/InvoiceRepo.ts"
import { CurrentSeller } from "../billing/Seller.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import * as Delivery from "../notifications/Delivery.ts"
import * as InvoiceMail from "../notifications/InvoiceMail.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import { CurrentPrincipal, type Principal, Tenancy } from "../tenancy/Tenancy.ts"
import { PaymentProvider, PaymentProviderError } from "./PaymentProvider.ts"
import { PaymentPushes } from "./PaymentPushes.ts"
import { PaymentRecords } from "./PaymentRecords.ts"

/** Who the pushes' audit events name as the actor. */
export const paymentsWorker: Principal = { actor: "worker:payments" }

/** What one pass of the sender did. */
export interface PushReport {
  readonly pushed: number
  readonly retried: number
  readonly failed: number
}

type Outcome = "none" | "pushed" | "retried" | "failed"

/**
 * Queues the e-mail of an invoice whose push has ended, in the push's transaction: with the hosted
 * page `payUrl`, or (null) saying online payment is unavailable. None when the customer is gone.
 */
const queueMail = (invoice: Invoice, payUrl: string | null, at: DateTime.Utc) =>
  Effect.gen(function* () {
    const customer = yield* CustomerRepo.use((r) => r.findById(invoice.customerId)).pipe(
      Effect.map(Option.some),
      Effect.catchTag("NotFound", () => Effect.succeedNone)
    )
    if (Option.isNone(customer)) return null
    const id = yield* Notification.makeId
    const seller = yield* CurrentSeller
    yield* Outbox.use((o) =>
      o.enqueue({
        id,
        customerId: invoice.customerId,
        channel: "email",
        template: "invoice_issued",
        recipient: customer.value.email,
        ...InvoiceMail.issued(invoice, customer.value, seller, { payUrl }),
        data: { invoiceId: invoice.id, invoiceNumber: invoice.number ?? "" },
        createdAt: at
      })
    )
    return id
  })

const deliverOne = (policy: Delivery.RetrySchedule) =>
  Effect.gen(function* () {
    const pushes = yield* PaymentPushes
    const records = yield* PaymentRecords
    const provider = yield* PaymentProvider
    const now = yield* DateTime.now
    const claimed = yield* pushes.claimNext(now)
    if (Option.isNone(claimed)) return "none" as Outcome
    const push = claimed.value
    const found = yield* InvoiceRepo.use((r) => r.findById(push.invoiceId)).pipe(
      Effect.map(Option.some),
      Effect.catchTag("NotFound", () => Effect.succeedNone)
    )
    if (Option.isNone(found)) {
      yield* pushes.markFailed(push.invoiceId, "the invoice does not exist")
      return "failed" as Outcome
    }
    const invoice = found.value
    // Already at the provider (an earlier attempt committed its link): never a second invoice.
    const existing = yield* records.invoiceLink(invoice.id)
    if (Option.isSome(existing) || invoice.status === "paid") {
      yield* pushes.markPushed(push.invoiceId, now)
      if (push.notify)
        yield* queueMail(invoice, Option.isSome(existing) ? existing.value.hostedUrl : null, now)
      return "pushed" as Outcome
    }
    if (invoice.status !== "issued" && invoice.status !== "overdue") {
      yield* pushes.markFailed(push.invoiceId, `the invoice is ${invoice.status}: nothing to collect`)
      return "failed" as Outcome
    }
    const bounded = <A>(effect: Effect.Effect<A, PaymentProviderError>) =>
      Effect.timeoutOrElse(effect, {
        duration: policy.sendTimeout,
        orElse: () =>
          Effect.fail(
            new PaymentProviderError({
              provider: provider.name,
              operation: "push",
              reason: "timed out",
              status: null,
              retryable: true
            })
          )
      })
    const attempt = Effect.gen(function* () {
      const linked = yield* records.customerLink(provider.name, push.customerId)
      let providerCustomerId: string | null = Option.getOrNull(linked)
      if (providerCustomerId === null) {
        const customer = yield* CustomerRepo.use((r) => r.findById(push.customerId)).pipe(
          Effect.catchTag("NotFound", () =>
            Effect.fail(
              new PaymentProviderError({
                provider: provider.name,
                operation: "push",
                reason: "the customer does not exist",
                status: null,
                retryable: false
              })
            )
          )
        )
        providerCustomerId = yield* bounded(provider.ensureCustomer(customer))
        if (providerCustomerId !== null)
          yield* records.linkCustomer(provider.name, push.customerId, providerCustomerId)
      }
      if (providerCustomerId === null) return null
      return yield* bounded(provider.pushInvoice(invoice, providerCustomerId))
    })
    const result = yield* Effect.result(
      Effect.catchTag(attempt, "PaymentProviderError", (e) => Effect.fail({ providerError: e }))
    )
    const at = yield* DateTime.now
    if (Result.isSuccess(result)) {
      const pushed = result.success
      const notificationId = push.notify ? yield* queueMail(invoice, pushed?.hostedUrl ?? null, at) : null
      if (pushed !== null) {
        yield* records.linkInvoice({
          invoiceId: invoice.id,
          customerId: invoice.customerId,
          provider: provider.name,
          providerInvoiceId: pushed.providerInvoiceId,
          hostedUrl: pushed.hostedUrl,
          state: "open",
          stateAt: null
        })
        yield* AuditLog.use((a) =>
          a.append(
            new NewAuditEvent({
              customerId: invoice.customerId,
              action: "invoice.pushed" satisfies WorkerAction as AuditAction,
              subjectType: "invoice",
              subjectId: invoice.id,
              payload: {
                provider: provider.name,
                providerInvoiceId: pushed.providerInvoiceId,
                hostedUrl: pushed.hostedUrl,
                number: invoice.number,
                notificationId
              }
            })
          )
        )
      }
      yield* pushes.markPushed(push.invoiceId, at)
      return "pushed" as Outcome
    }
    const failure = result.failure
    if (!("providerError" in failure)) return yield* Effect.fail(failure)
    const error = failure.providerError
    const attempts = push.attempts + 1
    if (!error.retryable || attempts >= policy.maxAttempts) {
      yield* pushes.markFailed(push.invoiceId, error.message)
      // The push gave up: the e-mail goes without a link rather than never.
      if (push.notify) yield* queueMail(invoice, null, at)
      return "failed" as Outcome
    }
    yield* pushes.reschedule(push.invoiceId, {
      error: error.message,
      nextAttemptAt: DateTime.addDuration(at, Delivery.backoff(policy, attempts))
    })
    return "retried" as Outcome
  })

/**
 * Pushes every invoice due now, each in its own worker transaction, with `concurrency` senders;
 * returns when none is due (rescheduled ones wait for a later pass).
 */
export const deliverDue = Effect.fn("PushDelivery.deliverDue")(function* (
  options: { readonly policy?: Delivery.RetrySchedule; readonly concurrency?: number } = {}
) {
  const tenancy = yield* Tenancy
  const policy = options.policy ?? Delivery.defaultRetrySchedule
  const counts = { pushed: 0, retried: 0, failed: 0 }
  const sender = Effect.gen(function* () {
    while (true) {
      const outcome = yield* tenancy
        .runAsWorker(deliverOne(policy))
        .pipe(Effect.provideService(CurrentPrincipal, paymentsWorker))
      if (outcome === "none") return
      counts[outcome]++
    }
  })
  yield* Effect.all(
    Array.from({ length: options.concurrency ?? 1 }, () => sender),
    { concurrency: "unbounded", discard: true }
  )
  return counts as PushReport
})
