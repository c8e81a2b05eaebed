/**
 * Refunds held for a payment that was never linked (issue 14 follow-up): a payment made before the
 * endpoint listened to `invoice_payment.paid`, or whose event the provider gave up on, is looked
 * up at the provider (`PaymentProvider.findInvoicePayments`: Stripe's `invoicePayments.list` by
 * payment intent), and a paid invoice payment it names is applied exactly as its
 * `invoice_payment.paid` would be: the same `ProcessPaymentEvent` path, the same locks, under
 * the event id `lookup:<invoice payment id>`, so two passes looking up the same payment apply it
 * once, and a late `invoice_payment.paid` (another event id) finds the link made and the refunds
 * taken: credited once whichever comes first.
 *
 * Run by the daily job (`BillingJobs.daily`, through `PaymentCollection`) and by
 * `securebase payments reconcile`, not in the webhook: the webhook answers inside the provider's
 * delivery timeout without an outbound call (and a Lambda is frozen once it has answered), and the
 * link usually arrives seconds after the refund, so a fresh hold is first looked up
 * `PendingRefunds.firstLookupAfter` later.
 *
 * Per pass: due payments are claimed in one short worker transaction (their next lookup moved a
 * lease ahead, so a concurrent pass skips them); each is looked up OUTSIDE any transaction; the
 * answer is applied in the event's own transaction. A lookup that fails (the provider down, a
 * timeout) is retried with backoff and given up after the policy's attempts; one the provider
 * refuses (not retryable: a bad key, a payment it cannot list by) and an answer naming no paid
 * invoice of ours stop the lookups at once. Either way the refund stays held, listed with
 * its age and why (`securebase payments held`), and a late link still credits it.
 */
import { DateTime, Duration, Effect, Result } from "effect"
import * as Delivery from "../notifications/Delivery.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import { CurrentPrincipal, Tenancy } from "../tenancy/Tenancy.ts"
import type { PaymentEvent } from "./PaymentEvent.ts"
import { type InvoicePaymentFound, PaymentProvider, PaymentProviderError } from "./PaymentProvider.ts"
import { type DueLookup, type Lookup, PendingRefunds } from "./PendingRefunds.ts"
import * as ProcessPaymentEvent from "./ProcessPaymentEvent.ts"
import { paymentsWorker } from "./PushDelivery.ts"

/**
 * 10 min, 20 min, 40 min, … capped at 12 h; 8 lookups (about two days and a half), each given
 * 30 s to answer.
 */
export const defaultPolicy: Delivery.RetrySchedule = {
  base: "10 minutes",
  factor: 2,
  cap: "12 hours",
  maxAttempts: 8,
  sendTimeout: "30 seconds"
}

/** Options of one pass. */
export interface Options {
  readonly policy?: Delivery.RetrySchedule
  /** Payments looked up per pass (default 100). */
  readonly limit?: number
  /** How long a claimed payment is kept from other passes (default 5 minutes). */
  readonly lease?: Duration.Duration
  /** Every held refund's payment, also those no longer looked up (default false: only the due). */
  readonly all?: boolean
}

/** What one pass did. */
export interface LookupReport {
  /** Payments looked up. */
  readonly lookedUp: number
  /** Payments whose held refunds are all gone (credited, or refused by our books). */
  readonly resolved: number
  /** Payments whose lookup failed and will be retried. */
  readonly retried: number
  /** Payments no longer looked up: the provider named no paid invoice of ours, or the lookups ran out. */
  readonly stopped: number
}

/** The `invoice_payment.paid` event the provider would have sent for this invoice payment. */
export const eventOf = (provider: string, found: InvoicePaymentFound): PaymentEvent => ({
  provider,
  id: `lookup:${found.id}`,
  type: "invoice_payment.paid",
  createdAt: found.paidAt,
  invoice: {
    providerInvoiceId: found.providerInvoiceId,
    securebaseInvoiceId: null,
    paymentId: found.paymentId,
    linkedPaymentId: found.paymentId,
    amount: found.amount,
    currency: found.currency,
    reason: null
  },
  providerCustomerId: null
})

/** What became of one payment's lookup. */
type PaymentOutcome = "resolved" | "retried" | "stopped"

/** Looks one payment up; `record` writes its lookup in a transaction of its own. */
const lookUpOne = (
  due: DueLookup,
  policy: Delivery.RetrySchedule,
  record: (lookup: Lookup) => Effect.Effect<number, PersistenceFailure>
) =>
  Effect.gen(function* () {
    const provider = yield* PaymentProvider
    const attempts = due.attempts + 1
    const timeout = Duration.fromInputUnsafe(policy.sendTimeout)
    // Outside any transaction: nothing is held while the provider answers.
    const answer = yield* provider.findInvoicePayments(due.providerPaymentId).pipe(
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new PaymentProviderError({
              provider: provider.name,
              operation: "findInvoicePayments",
              reason: `no answer within ${Duration.format(timeout)}`,
              status: null,
              retryable: true
            })
          )
      }),
      Effect.result
    )
    const now = yield* DateTime.now
    // A failure that waiting cannot cure (a refusal, a bad key) stops at once, as a push does.
    const retry = (why: string, retryable: boolean) =>
      Effect.gen(function* () {
        const last = attempts >= policy.maxAttempts || !retryable
        const left = yield* record({
          attempts,
          nextAt: last ? null : DateTime.addDuration(now, Delivery.backoff(policy, attempts)),
          error: !retryable ? why : last ? `${why} (gave up after ${attempts} lookups)` : why
        })
        yield* Effect.logWarning(
          `held refunds of ${due.providerPaymentId}: lookup ${attempts} failed: ${why}${last ? "; given up" : ""}`
        )
        return (left === 0 ? "resolved" : last ? "stopped" : "retried") as PaymentOutcome
      })
    if (Result.isFailure(answer)) return yield* retry(answer.failure.message, answer.failure.retryable)
    const name = provider.name === "stripe" ? "Stripe" : provider.name
    const paid = answer.success.filter((f) => f.status === "paid" && f.paymentId === due.providerPaymentId)
    const outcomes: Array<string> = []
    for (const found of paid) {
      const applied = yield* Effect.result(
        ProcessPaymentEvent.processInvoiceEvent(eventOf(due.provider, found))
      )
      // Our database failed (or a DynamoDB claim is held): nothing was applied; try again later.
      if (Result.isFailure(applied))
        return yield* retry(`applying ${found.id}: ${applied.failure._tag}`, true)
      outcomes.push(`${found.providerInvoiceId}: ${applied.success}`)
    }
    // Credited (the rows are gone), or still held: say why, and stop looking it up.
    const why =
      paid.length === 0
        ? `${name} names no paid invoice for ${due.providerPaymentId}`
        : `${name}'s invoice payment did not credit it (${outcomes.join(", ")})`
    const left = yield* record({
      attempts,
      nextAt: null,
      error: why
    })
    if (left > 0)
      yield* Effect.logWarning(`held refunds of ${due.providerPaymentId}: ${why}; left for an operator`)
    return (left === 0 ? "resolved" : "stopped") as PaymentOutcome
  })

/** Looks up the payments of the held refunds that are due (see the module comment). */
export const run = Effect.fn("LookUpHeldRefunds.run")(function* (options: Options = {}) {
  const policy = options.policy ?? defaultPolicy
  const tenancy = yield* Tenancy
  const held = yield* PendingRefunds
  const now = yield* DateTime.now
  const asWorker = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    tenancy.runAsWorker(effect).pipe(Effect.provideService(CurrentPrincipal, paymentsWorker))
  const due = yield* asWorker(
    held.claimLookups(now, options.lease ?? Duration.minutes(5), options.limit ?? 100, options.all ?? false)
  )
  const counts = { resolved: 0, retried: 0, stopped: 0 }
  for (const payment of due) {
    // The bookkeeping of one lookup is its own short transaction; the lookup runs outside it.
    const outcome = yield* lookUpOne(payment, policy, (lookup) =>
      asWorker(held.recordLookup(payment.provider, payment.providerPaymentId, lookup))
    )
    counts[outcome]++
  }
  return { lookedUp: due.length, ...counts } satisfies LookupReport
})

/** Every held refund with its lookup, oldest first (for operators). */
export const list = Effect.gen(function* () {
  const tenancy = yield* Tenancy
  const held = yield* PendingRefunds
  return yield* tenancy.runAsWorker(held.list).pipe(Effect.provideService(CurrentPrincipal, paymentsWorker))
})
