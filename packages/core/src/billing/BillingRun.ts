/**
 * The monthly billing run: for a period, every active customer is billed in its own worker
 * transaction, which
 *
 * 1. locks the customer's claim (`BillingClaims.claimNext`, `FOR UPDATE SKIP LOCKED`),
 * 2. closes the customer's period to new usage and reads it (`BillableUsage.closeAndRead`),
 *    aggregates it and prices it with the core (`Invoicing.priceInvoice`),
 * 3. stores the invoice as a draft with its lines and marks the claim done,
 * 4. takes the next gap-free number (`InvoiceNumbers`, as late as possible: its row lock
 *    serializes issuers until commit), issues the draft with its due date, queues its e-mail in
 *    the outbox (and its push to the payment provider, when the deployment collects with one),
 *    appends `invoice.issued` to the audit log, and commits.
 *
 * Idempotent: a claim is done once its invoice is committed, and an invoice that already exists
 * for (customer, period) settles the claim without billing again (the table is unique on it too).
 * Resumable: a crash or interrupt rolls back the customer in progress and frees its claim; a
 * restarted run takes the rest. Concurrent: workers (fibers, processes, Lambdas) share nothing but
 * the claims table and skip each other's locked claims. A customer that fails rolls back alone,
 * is marked failed with its reason, and the run goes on; `retryFailed` (the default) gives failed
 * claims another try when a run starts.
 *
 * Only a period that has closed is billed: `run` refuses a period before its end plus the usage
 * grace (`PeriodClose.requireBillable`); `dryRun` previews any period.
 */
import { DateTime, Duration, Effect, Option, Schema, Semaphore } from "effect"
import type { NewAuditEvent } from "../audit/AuditEvent.ts"
import { type Customer, isBilledFor } from "../customer/Customer.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import { CustomerId, type InvoiceId } from "../Ids.ts"
import type * as Notification from "../notifications/Notification.ts"
import { PaymentCollection } from "../payments/PaymentCollection.ts"
import { billingWorker, Tenancy } from "../tenancy/Tenancy.ts"
import { BillableUsage } from "./BillableUsage.ts"
import { BillingBatch } from "./BillingBatch.ts"
import { BillingClaims, type ClaimCounts } from "./BillingClaims.ts"
import * as CustomerPricing from "./CustomerPricing.ts"
import type * as Invoice from "./Invoice.ts"
import * as InvoiceLifecycle from "./InvoiceLifecycle.ts"
import { InvoiceNumbers } from "./InvoiceNumbers.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import * as IssueInvoice from "./IssueInvoice.ts"
import * as Period from "./Period.ts"
import * as PeriodClose from "./PeriodClose.ts"

/** One customer could not be billed; its transaction rolled back and its claim is marked failed. */
export class CustomerBillingFailed extends Schema.TaggedError<CustomerBillingFailed>()(
  "CustomerBillingFailed",
  { customerId: CustomerId, reason: Schema.String }
) {
  /** Stable error code. */
  readonly code = "BILLING.CUSTOMER_FAILED"
}

/** The actor recorded on the run's audit events: the worker's default principal. */
export const actor = billingWorker.actor

const reasonOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const e = error as {
      readonly code?: unknown
      readonly _tag?: unknown
      readonly message?: unknown
      readonly operation?: unknown
      readonly kind?: unknown
    }
    const head = typeof e.code === "string" ? e.code : typeof e._tag === "string" ? e._tag : "error"
    const detail =
      typeof e.operation === "string" && typeof e.kind === "string"
        ? `${e.operation}: ${e.kind}`
        : typeof e.message === "string"
          ? e.message
          : ""
    return detail === "" ? head : `${head}: ${detail}`
  }
  return String(error)
}

/** Progress of a run, reported after each customer. */
export interface Progress {
  readonly period: Period.Period
  readonly billed: number
  readonly skipped: number
  readonly failed: number
  /** Claims of the period when this worker started (all workers' work). */
  readonly total: number
  readonly last:
    | { readonly _tag: "Billed"; readonly invoice: Invoice.Invoice }
    | { readonly _tag: "Skipped"; readonly customerId: CustomerId }
    | { readonly _tag: "Failed"; readonly customerId: CustomerId; readonly reason: string }
}

/** What this worker did for a period. */
export interface RunSummary {
  readonly period: Period.Period
  /** Claims of the period when the run started. */
  readonly customers: number
  readonly billed: number
  /** Customers found already invoiced (or no longer active). */
  readonly skipped: number
  readonly failures: ReadonlyArray<{ readonly customerId: CustomerId; readonly reason: string }>
  /** Totals of the invoices this worker issued, per currency, in minor units. */
  readonly totals: ReadonlyMap<string, bigint>
  /** The period's claims when this worker finished (pending > 0: other workers are still going). */
  readonly remaining: ClaimCounts
  readonly elapsed: Duration.Duration
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly period: Period.Period
  /** Transactions in flight in this process (each bills one customer). Default 1. */
  readonly concurrency?: number
  /**
   * Customers per transaction. 1 (the default): each customer in its own transaction. More:
   * batch mode, where one transaction locks up to this many claims, reads their usage in one
   * query, stores the drafts with their lines and settles the claims, and only then takes a block
   * of consecutive numbers and issues the drafts with their e-mails and audit events (multi-row
   * statements throughout; the number row is held from there to commit, so that part is short);
   * a customer that cannot be priced is marked failed without touching the others, and a batch
   * whose writes fail is rolled back whole and redone customer by customer.
   */
  readonly batchSize?: number
  /**
   * Per-customer mode only (`batchSize` 1): number in blocks of up to this many customers. Each
   * customer's transaction then stores its invoice as a draft and marks its claim priced, without
   * touching the number row; every `numberEvery` priced customers (and when the run starts and
   * ends) one numbering transaction takes a block of consecutive numbers for up to that many of
   * them, issues their invoices, queues their e-mails, appends their audit events and completes
   * their claims. Numbers stay gap-free (the block, the issues and the claims commit together or
   * not at all) while the customers' transactions run concurrently. Unset: each customer takes its
   * number in its own transaction, which serializes them until they commit.
   */
  readonly numberEvery?: number
  /** Put failed claims back to pending when the run starts. Default true. */
  readonly retryFailed?: boolean
  readonly onProgress?: (progress: Progress) => Effect.Effect<void>
}

/**
 * Bills every active customer of a period that is not billed yet; see the module comment. Fails
 * with `PeriodNotBillable`, having done nothing, when the period has not closed yet.
 */
export const run = Effect.fn("BillingRun.run")(function* (options: RunOptions) {
  const { period } = options
  yield* PeriodClose.requireBillable(period)
  const tenancy = yield* Tenancy
  const claims = yield* BillingClaims
  const started = yield* DateTime.now
  const opened = yield* tenancy.runAsWorker(claims.open(period, { retryFailed: options.retryFailed ?? true }))
  const total = opened.pending + opened.done + opened.failed
  let billed = 0
  let skipped = 0
  const failures: Array<{ customerId: CustomerId; reason: string }> = []
  const totals = new Map<string, bigint>()
  const report = (last: Progress["last"]) =>
    options.onProgress === undefined
      ? Effect.void
      : options.onProgress({ period, billed, skipped, failed: failures.length, total, last })

  type Last = Progress["last"]
  const single = tenancy
    .runAsWorker(
      Effect.gen(function* () {
        const claimed = yield* claims.claimNext(period)
        if (Option.isNone(claimed)) return []
        const claim = claimed.value
        const customer = claim.customer
        if (claim.existingInvoice !== null || !isBilledFor(customer, period)) {
          yield* claims.complete(period, claim, claim.existingInvoice)
          return [{ _tag: "Skipped", customerId: customer.id } as const]
        }
        const at = yield* DateTime.now
        const failed = (error: unknown) =>
          new CustomerBillingFailed({ customerId: customer.id, reason: reasonOf(error) })
        // As a batch of one: the draft, its lines and the claim before the number, whose row lock
        // serializes the issuers until commit; under it only the number, the issuing UPDATE with
        // the e-mail and the audit event (one statement more), and the push.
        const draft = yield* Effect.gen(function* () {
          const usage = yield* BillableUsage.use((u) => u.closeAndRead([customer.id], period))
          const draft = yield* CustomerPricing.priceFromEvents(
            customer,
            period,
            usage.get(customer.id) ?? [],
            {
              at
            }
          )
          return yield* InvoiceRepo.use((r) => r.insert(draft))
        }).pipe(Effect.mapError(failed))
        yield* claims.complete(period, claim, draft.id)
        const invoice = yield* Effect.gen(function* () {
          const number = yield* InvoiceNumbers.use((n) => n.next(Period.parts(Period.ofDateTime(at)).year))
          const invoice = yield* InvoiceLifecycle.issue(draft, { number, at })
          const records = yield* IssueInvoice.issuedRecords(invoice, customer, { at })
          yield* BillingBatch.use((b) =>
            b.issue({
              invoices: [invoice],
              notifications: records.notification === null ? [] : [records.notification],
              auditEvents: [records.audit]
            })
          )
          yield* (yield* PaymentCollection).enqueue([invoice], at)
          return invoice
        }).pipe(Effect.mapError(failed))
        return [{ _tag: "Billed", invoice } as const]
      })
    )
    .pipe(
      Effect.catchTag("CustomerBillingFailed", (e) =>
        Effect.as(tenancy.runAsWorker(claims.fail(period, e.customerId, e.reason)), [
          { _tag: "Failed", customerId: e.customerId, reason: e.reason } as const
        ])
      )
    )

  // Per-customer mode with numbering in blocks (`numberEvery`): price, store the draft, mark priced.
  const priceOne = tenancy
    .runAsWorker(
      Effect.gen(function* () {
        const claimed = yield* claims.claimNext(period)
        if (Option.isNone(claimed)) return []
        const claim = claimed.value
        const customer = claim.customer
        if (claim.existingInvoice !== null || !isBilledFor(customer, period)) {
          yield* claims.complete(period, claim, claim.existingInvoice)
          return [{ _tag: "Skipped", customerId: customer.id } as const]
        }
        const at = yield* DateTime.now
        const draft = yield* Effect.gen(function* () {
          const usage = yield* BillableUsage.use((u) => u.closeAndRead([customer.id], period))
          const events = usage.get(customer.id) ?? []
          const draft = yield* CustomerPricing.priceFromEvents(customer, period, events, { at })
          return yield* InvoiceRepo.use((r) => r.insert(draft))
        }).pipe(
          Effect.mapError(
            (error) => new CustomerBillingFailed({ customerId: customer.id, reason: reasonOf(error) })
          )
        )
        yield* claims.markPriced(period, customer.id, draft.id)
        return [{ _tag: "Priced", customerId: customer.id } as const]
      })
    )
    .pipe(
      Effect.catchTag("CustomerBillingFailed", (e) =>
        Effect.as(tenancy.runAsWorker(claims.fail(period, e.customerId, e.reason)), [
          { _tag: "Failed", customerId: e.customerId, reason: e.reason } as const
        ])
      )
    )

  // One numbering transaction: a block of numbers for up to `numberEvery` priced customers.
  const numberBlock = (limit: number) =>
    tenancy.runAsWorker(
      Effect.gen(function* () {
        const priced = yield* claims.claimPriced(period, limit)
        if (priced.length === 0) return []
        const at = yield* DateTime.now
        const numbers = yield* InvoiceNumbers.use((n) =>
          n.nextBlock(Period.parts(Period.ofDateTime(at)).year, priced.length)
        )
        const invoices: Array<Invoice.Invoice> = []
        const notifications: Array<Notification.NewNotification> = []
        const auditEvents: Array<NewAuditEvent> = []
        const outcomes: Array<Last> = []
        const drafts = yield* BillingBatch.use((b) => b.drafts(priced.map((p) => p.invoiceId)))
        for (const [i, { customer }] of priced.entries()) {
          const invoice = yield* InvoiceLifecycle.issue(drafts[i]!, { number: numbers[i]!, at })
          const records = yield* IssueInvoice.issuedRecords(invoice, customer, { at })
          invoices.push(invoice)
          if (records.notification !== null) notifications.push(records.notification)
          auditEvents.push(records.audit)
          outcomes.push({ _tag: "Billed", invoice })
        }
        yield* BillingBatch.use((b) => b.issue({ invoices, notifications, auditEvents }))
        // The pushes too (online collection): without them these invoices would never reach the
        // provider, nor (the push queues it) their e-mail.
        yield* (yield* PaymentCollection).enqueue(invoices, at)
        yield* claims.completeMany(
          period,
          invoices.map((i) => ({ customerId: i.customerId, invoiceId: i.id }))
        )
        return outcomes
      })
    )

  const batchSize = Math.max(1, options.batchSize ?? 1)
  const batched = tenancy.runAsWorker(
    Effect.gen(function* () {
      const batch = yield* BillingBatch
      const claimed = yield* claims.claimMany(period, batchSize)
      if (claimed.length === 0) return []
      const toBill = claimed.filter((c) => c.existingInvoice === null && isBilledFor(c.customer, period))
      const usage = yield* BillableUsage.use((u) =>
        u.closeAndRead(
          toBill.map((c) => c.customer.id),
          period
        )
      )
      const at = yield* DateTime.now
      const outcomes: Array<Last> = []
      const settled: Array<{ customerId: CustomerId; invoiceId: InvoiceId | null }> = []
      const drafts: Array<{ readonly customer: Customer; readonly draft: Invoice.Invoice }> = []
      for (const c of claimed) {
        if (c.existingInvoice !== null || !isBilledFor(c.customer, period)) {
          outcomes.push({ _tag: "Skipped", customerId: c.customer.id })
          settled.push({ customerId: c.customer.id, invoiceId: c.existingInvoice })
          continue
        }
        const priced = yield* Effect.result(
          CustomerPricing.priceFromEvents(c.customer, period, usage.get(c.customer.id) ?? [], { at })
        )
        if (priced._tag === "Success") drafts.push({ customer: c.customer, draft: priced.success })
        else {
          const reason = reasonOf(priced.failure)
          outcomes.push({ _tag: "Failed", customerId: c.customer.id, reason })
          yield* claims.fail(period, c.customer.id, reason)
        }
      }
      // The number row's lock serializes every issuer until commit, so everything that does not
      // need the numbers is written before it is taken: the drafts with their lines (most of the
      // batch's rows) and the settled claims. Under the lock: the block of numbers, one UPDATE
      // issuing the drafts, their e-mails and audit events (which carry the numbers), the pushes.
      // It is one transaction either way: nobody sees the drafts, and a failure undoes it all.
      if (drafts.length > 0)
        yield* batch.store({ invoices: drafts.map((d) => d.draft), notifications: [], auditEvents: [] })
      for (const { customer, draft } of drafts) settled.push({ customerId: customer.id, invoiceId: draft.id })
      yield* claims.completeMany(period, settled)
      if (drafts.length === 0) return outcomes
      const numbers = yield* InvoiceNumbers.use((n) =>
        n.nextBlock(Period.parts(Period.ofDateTime(at)).year, drafts.length)
      )
      const invoices: Array<Invoice.Invoice> = []
      const notifications: Array<Notification.NewNotification> = []
      const auditEvents: Array<NewAuditEvent> = []
      for (const [i, { customer, draft }] of drafts.entries()) {
        const invoice = yield* InvoiceLifecycle.issue(draft, { number: numbers[i]!, at })
        const records = yield* IssueInvoice.issuedRecords(invoice, customer, { at })
        invoices.push(invoice)
        if (records.notification !== null) notifications.push(records.notification)
        auditEvents.push(records.audit)
        outcomes.push({ _tag: "Billed", invoice })
      }
      yield* batch.issue({ invoices, notifications, auditEvents })
      yield* (yield* PaymentCollection).enqueue(invoices, at)
      return outcomes
    })
  )
  // A batch whose writes fail rolls back whole; its customers are then billed one by one, so
  // the one at fault fails alone.
  const step =
    batchSize === 1
      ? single
      : Effect.catch(batched, (error) =>
          Effect.andThen(
            Effect.logWarning(
              `BillingRun: a batch of ${period} failed (${reasonOf(error)}); billing it customer by customer`
            ),
            Effect.map(
              Effect.forEach(Array.from({ length: batchSize }), () => single),
              (xs) => xs.flat()
            )
          )
        )

  const record = (last: Last) =>
    Effect.suspend(() => {
      switch (last._tag) {
        case "Billed":
          billed++
          totals.set(last.invoice.currency, (totals.get(last.invoice.currency) ?? 0n) + last.invoice.total)
          break
        case "Skipped":
          skipped++
          break
        case "Failed":
          failures.push({ customerId: last.customerId, reason: last.reason })
      }
      return report(last)
    })

  const numberEvery = Math.max(1, options.numberEvery ?? 1)
  const inBlocks = batchSize === 1 && options.numberEvery !== undefined
  // Numbers every priced claim of the period, a block at a time, one numbering transaction at a
  // time in this process (other processes queue on the number row). A block that fails rolls back
  // whole, numbers included: its claims stay priced for the next pass (or the next run).
  const numbering = yield* Semaphore.make(1)
  const numberPriced = numbering.withPermit(
    Effect.gen(function* () {
      while (true) {
        const outcomes = yield* numberBlock(numberEvery)
        for (const last of outcomes) yield* record(last)
        if (outcomes.length < numberEvery) return
      }
    }).pipe(
      Effect.catchCause((cause) =>
        Effect.logError(`BillingRun: numbering priced invoices of ${period} failed; they stay priced`, cause)
      )
    )
  )

  const worker = Effect.gen(function* () {
    let priced = 0
    while (true) {
      const outcomes = inBlocks ? yield* priceOne : yield* step
      if (outcomes.length === 0) return
      for (const last of outcomes) {
        if (last._tag === "Priced") priced++
        else yield* record(last)
      }
      if (priced >= numberEvery) {
        priced = 0
        yield* numberPriced
      }
    }
  })
  // Leftovers of an interrupted run first, then the customers, then what they priced.
  if (inBlocks) yield* numberPriced
  yield* Effect.all(
    Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => worker),
    {
      concurrency: "unbounded",
      discard: true
    }
  )
  if (inBlocks) yield* numberPriced
  const remaining = yield* tenancy.runAsWorker(claims.counts(period))
  const finished = yield* DateTime.now
  return {
    period,
    customers: total,
    billed,
    skipped,
    failures,
    totals,
    remaining,
    elapsed: Duration.millis(DateTime.toEpochMillis(finished) - DateTime.toEpochMillis(started))
  } satisfies RunSummary
})

/** A would-be invoice of a dry run. */
export interface DryRunInvoice {
  readonly customer: Customer
  readonly invoice: Invoice.Invoice
}

/**
 * What {@link run} would issue for a period, read-only: active customers without an invoice for
 * the period, priced as drafts (no number, no claim, no e-mail, nothing written).
 */
export const dryRun = Effect.fn("BillingRun.dryRun")(function* (period: Period.Period) {
  const tenancy = yield* Tenancy
  const at = yield* DateTime.now
  return yield* tenancy.runAsWorker(
    Effect.gen(function* () {
      const customers = yield* CustomerRepo.use((r) => r.list)
      const out: Array<DryRunInvoice> = []
      const failures: Array<{ customerId: CustomerId; reason: string }> = []
      for (const customer of customers) {
        if (!isBilledFor(customer, period)) continue
        const existing = yield* InvoiceRepo.use((r) => r.listByCustomer(customer.id))
        if (existing.some((i) => i.period === period)) continue
        const priced = yield* Effect.result(CustomerPricing.priceDraft(customer, period, { at }))
        if (priced._tag === "Success") out.push({ customer, invoice: priced.success })
        else failures.push({ customerId: customer.id, reason: reasonOf(priced.failure) })
      }
      return { invoices: out, failures }
    })
  )
})
