/**
 * A dry-run diff of a new price book: every customer's month priced under the current pricing
 * policy and under a proposed one, nothing written, and per customer the old and new totals and
 * their difference, with a summary (customers up, down, unchanged, failed; revenue per currency
 * before and after). Pricing teams run it before every change
 * (`securebase bill --period P --price-book new.json --diff` is a thin wrapper of
 * {@link forPeriod} and {@link render}).
 *
 * Revenue is what the customer pays before tax (subtotal − discount): tax is not the seller's.
 * A customer that either policy cannot price (no book in its currency, bad terms, ...) is counted
 * as failed with its reason, and left out of the revenue.
 */
import { DateTime, Effect } from "effect"
import type { Customer } from "../customer/Customer.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { InvoiceId } from "../Ids.ts"
import type { Currency } from "../money/Currency.ts"
import * as Money from "../money/Money.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import type { UsageEvent } from "../usage/Usage.ts"
import { UsageEventRepo } from "../usage/UsageEventRepo.ts"
import * as CustomerPricing from "./CustomerPricing.ts"
import type { Invoice } from "./Invoice.ts"
import type * as Period from "./Period.ts"
import { Pricing, type Setup } from "./Pricing.ts"

/** One customer's month, as the diff prices it. */
export interface CustomerMonth {
  readonly customer: Customer
  readonly events: ReadonlyArray<UsageEvent>
}

/** One customer's bill under both policies. */
export interface CustomerDiff {
  readonly customer: Customer
  readonly currency: Currency
  /** Totals (tax included) under the current and the proposed policy; null when it could not price. */
  readonly oldTotal: bigint | null
  readonly newTotal: bigint | null
  /** Revenue (subtotal − discount, before tax) under each. */
  readonly oldRevenue: bigint | null
  readonly newRevenue: bigint | null
  /** newTotal − oldTotal, when both priced. */
  readonly delta: bigint | null
  readonly change: "up" | "down" | "unchanged" | "failed"
  /** Why a policy could not price the month (its error code). */
  readonly failure: string | null
}

/** Revenue of one currency before and after. */
export interface CurrencyRevenue {
  readonly currency: Currency
  readonly old: bigint
  readonly new: bigint
  readonly delta: bigint
}

/** The diff of a period. */
export interface Diff {
  readonly period: Period.Period
  readonly customers: ReadonlyArray<CustomerDiff>
  readonly summary: {
    readonly customers: number
    readonly up: number
    readonly down: number
    readonly unchanged: number
    readonly failed: number
    readonly revenue: ReadonlyArray<CurrencyRevenue>
  }
}

// Priced drafts are never stored: a fixed id keeps the diff free of randomness.
const draftId = "00000000-0000-4000-8000-000000000000" as InvoiceId

const codeOf = (error: unknown): string => {
  const e = error as { readonly code?: unknown; readonly _tag?: unknown }
  return typeof e.code === "string" ? e.code : typeof e._tag === "string" ? e._tag : "error"
}

/**
 * Prices each customer's month under the current policy (the `Pricing` in context) and
 * under `proposed`, and compares them. Writes nothing; customers are reported in the order given.
 */
export const diff = Effect.fn("Repricing.diff")(function* (
  period: Period.Period,
  months: ReadonlyArray<CustomerMonth>,
  proposed: Setup
) {
  const at = yield* DateTime.now
  const price = ({ customer, events }: CustomerMonth) =>
    Effect.result(CustomerPricing.priceFromEvents(customer, period, events, { at, invoiceId: draftId }))
  const customers: Array<CustomerDiff> = []
  for (const month of months) {
    const before = yield* price(month)
    const after = yield* Effect.provideService(price(month), Pricing, proposed)
    const old: Invoice | null = before._tag === "Success" ? before.success : null
    const next: Invoice | null = after._tag === "Success" ? after.success : null
    const failure =
      before._tag === "Failure"
        ? `current: ${codeOf(before.failure)}`
        : after._tag === "Failure"
          ? `proposed: ${codeOf(after.failure)}`
          : null
    const delta = old !== null && next !== null ? next.total - old.total : null
    customers.push({
      customer: month.customer,
      currency: month.customer.currency,
      oldTotal: old?.total ?? null,
      newTotal: next?.total ?? null,
      oldRevenue: old?.taxable ?? null,
      newRevenue: next?.taxable ?? null,
      delta,
      change: delta === null ? "failed" : delta > 0n ? "up" : delta < 0n ? "down" : "unchanged",
      failure
    })
  }
  const revenue = new Map<Currency, { old: bigint; new: bigint }>()
  for (const c of customers) {
    if (c.oldRevenue === null || c.newRevenue === null) continue
    const r = revenue.get(c.currency) ?? { old: 0n, new: 0n }
    revenue.set(c.currency, { old: r.old + c.oldRevenue, new: r.new + c.newRevenue })
  }
  const count = (change: CustomerDiff["change"]) => customers.filter((c) => c.change === change).length
  return {
    period,
    customers,
    summary: {
      customers: customers.length,
      up: count("up"),
      down: count("down"),
      unchanged: count("unchanged"),
      failed: count("failed"),
      revenue: Array.from(revenue, ([currency, r]) => ({
        currency,
        old: r.old,
        new: r.new,
        delta: r.new - r.old
      }))
    }
  } satisfies Diff as Diff
})

/**
 * The diff of a period for every active customer, read as the billing worker (each customer's
 * events of the period), priced under the current and the proposed policy. Read-only.
 */
export const forPeriod = Effect.fn("Repricing.forPeriod")(function* (period: Period.Period, proposed: Setup) {
  const tenancy = yield* Tenancy
  const months = yield* tenancy.runAsWorker(
    Effect.gen(function* () {
      const customers = yield* CustomerRepo.use((r) => r.list)
      return yield* Effect.forEach(
        customers.filter((c) => c.status === "active"),
        (customer) =>
          Effect.map(
            UsageEventRepo.use((r) => r.listForPeriod(customer.id, period)),
            (events) => ({ customer, events })
          )
      )
    })
  )
  return yield* diff(period, months, proposed)
})

const signed = (currency: Currency, minor: bigint) =>
  `${minor > 0n ? "+" : ""}${Money.format(Money.make(currency, minor))}`

/** The diff as text: one line per customer, then the summary. */
export const render = (d: Diff): string => {
  const out: Array<string> = [`Price book diff for ${d.period} (nothing written)`]
  for (const c of d.customers) {
    const m = (minor: bigint | null) => (minor === null ? "-" : Money.format(Money.make(c.currency, minor)))
    const delta = c.delta === null ? `failed (${c.failure})` : signed(c.currency, c.delta)
    out.push(`  ${c.customer.name} (${c.customer.id}): ${m(c.oldTotal)} -> ${m(c.newTotal)}  ${delta}`)
  }
  const s = d.summary
  out.push(
    `${s.customers} customers: ${s.up} up, ${s.down} down, ${s.unchanged} unchanged, ${s.failed} failed`
  )
  for (const r of s.revenue)
    out.push(
      `  revenue before tax (${r.currency}): ${Money.format(Money.make(r.currency, r.old))} -> ${Money.format(Money.make(r.currency, r.new))}  ${signed(r.currency, r.delta)}`
    )
  return out.join("\n")
}
