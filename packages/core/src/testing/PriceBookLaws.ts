/**
 * `PriceBookLaws.check(book)`: the core's pricing laws, run on YOUR price book, returning the
 * counterexamples found (none: the book passes). Deterministic for a seed, fast enough for CI:
 *
 * ```ts
 * it.effect("our price book obeys the pricing laws", () =>
 *   Effect.map(PriceBookLaws.check(book), (found) => assert.deepStrictEqual(found, [])))
 * ```
 *
 * Each law is checked over generated months of every plan of the book: usage of every metric the
 * book charges (each transaction, for charges priced per transaction), a tax profile of the tax
 * policy, and customer terms (coupons active in the period, a minimum commitment):
 *
 * - `reconciliation`: every bill reconciles to the minor unit (`Invoice.reconciliationErrors`),
 *   terms included;
 * - `monotone`: more usage of any one metric (checked metric by metric, with usage generated
 *   around each included quantity, band limit and package) never lowers a total, and neither does
 *   a larger subtotal after the book's discount rule;
 * - `idle-pays-base`: with no usage, the subtotal is the plan's flat charges;
 * - `whole-minor-units`: every amount is whole minor units, each line its exact amount rounded
 *   once by the book's mode, and each line's breakdown adds up to that exact amount;
 * - `discount-within-subtotal`: the discount is never negative nor above the subtotal;
 * - `coupons-never-negative`: coupons (even larger than the bill) never make a total negative,
 *   and never raise it;
 * - `commitment-never-lowers`: a minimum commitment never lowers a bill.
 */
import { Arbitrary, BigDecimal, Effect } from "effect"
import * as CustomerTerms from "../billing/CustomerTerms.ts"
import * as Discount from "../billing/Discount.ts"
import * as Invoice from "../billing/Invoice.ts"
import * as Period from "../billing/Period.ts"
import type * as PriceBook from "../billing/PriceBook.ts"
import * as PricingModel from "../billing/PricingModel.ts"
import * as Quote from "../billing/Quote.ts"
import * as Tax from "../billing/Tax.ts"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type { MetricCode } from "../usage/Metric.ts"
import type { Metrics, Transactions } from "../usage/Usage.ts"
import { decimal } from "./DecimalArbitrary.ts"
import { element, int, oneOf } from "./Primitives.ts"
import { taxProfile } from "./TaxArbitrary.ts"
import { commitment, customerTerms } from "./TermsArbitrary.ts"
import { period as anyPeriod, transactionList } from "./UsageArbitrary.ts"

/** The laws, by name. */
export const laws = [
  "reconciliation",
  "monotone",
  "idle-pays-base",
  "whole-minor-units",
  "discount-within-subtotal",
  "coupons-never-negative",
  "commitment-never-lowers"
] as const
export type Law = (typeof laws)[number]

/** Options of {@link check}. */
export interface CheckOptions {
  /** Runs per law (per law and metric for `monotone`); default 100. */
  readonly runs?: number | undefined
  /** The seed: the same book, options and seed find the same counterexamples. Default "securebase". */
  readonly seed?: string | number | undefined
  /** The tax policy bills are taxed by (default the reference card's 8%). */
  readonly taxRules?: Tax.TaxRules | undefined
  /** The largest usage generated per metric, as a decimal string (default "10000000"). */
  readonly maxQuantity?: string | undefined
  /** Only these laws (default all). */
  readonly only?: ReadonlyArray<Law> | undefined
}

/** A law that does not hold, with the smallest month found that breaks it. */
export interface Counterexample {
  readonly law: Law
  /** The plan of the book (its key in `plans`). */
  readonly plan: string
  /** The metric whose growth lowered the bill (`monotone` only). */
  readonly metric: string | null
  /** What went wrong, with the amounts. */
  readonly message: string
  /** The month's usage per metric (totals). */
  readonly usage: Readonly<Record<string, string>>
  /** Replays the falsification with `Arbitrary.checkEffect` (same implementation), when there is one. */
  readonly replay: string | null
}

/** A generated month: a plan, usage, tax profile, period and terms. */
interface Month {
  readonly plan: string
  readonly usage: Metrics
  readonly transactions: Transactions
  readonly profile: Tax.TaxProfile
  readonly period: Period.Period
  readonly terms: CustomerTerms.CustomerTerms
}

const plansOf = (book: PriceBook.PriceBook): ReadonlyArray<readonly [string, PriceBook.Plan]> =>
  Object.entries(book.plans as Readonly<Record<string, PriceBook.Plan>>)

/** The metrics a book charges for, and those of them priced per transaction. */
const metricsOf = (book: PriceBook.PriceBook) => {
  const all = new Set<MetricCode>()
  const perTransaction = new Set<MetricCode>()
  for (const [, plan] of plansOf(book))
    for (const c of plan.charges) {
      if (c._tag !== "Usage") continue
      all.add(c.metric)
      if (PricingModel.isPerTransaction(c.model)) perTransaction.add(c.metric)
    }
  return { all: [...all], perTransaction }
}

/**
 * Where a metric's price changes shape in a book: each charge's included quantity, and beyond it
 * each band limit and the first package. Usage is generated around these points too, since that
 * is where a price can fall (a volume band edge, say).
 */
const edgesOf = (book: PriceBook.PriceBook, metric: MetricCode): ReadonlyArray<BigDecimal.BigDecimal> => {
  const edges: Array<BigDecimal.BigDecimal> = []
  for (const [, plan] of plansOf(book))
    for (const c of plan.charges) {
      if (c._tag !== "Usage" || c.metric !== metric) continue
      edges.push(c.included)
      const m = c.model
      if (m._tag === "Graduated" || m._tag === "Volume")
        for (const b of m.bands) if (b.upTo !== null) edges.push(BigDecimal.sum(c.included, b.upTo))
      if (m._tag === "Package") edges.push(BigDecimal.sum(c.included, m.size))
    }
  return edges
}

const sum = (xs: ReadonlyArray<BigDecimal.BigDecimal>) =>
  xs.reduce((a, x) => BigDecimal.sum(a, x), Decimal.zero)

/** Runs the laws on a book; succeeds with the counterexamples (empty: the book passes). */
export const check = (
  book: PriceBook.PriceBook,
  options: CheckOptions = {}
): Effect.Effect<ReadonlyArray<Counterexample>> =>
  Effect.gen(function* () {
    const runs = options.runs ?? 100
    const seed = options.seed ?? "securebase"
    const taxRules = options.taxRules ?? Tax.referenceCard
    const only = new Set<Law>(options.only ?? laws)
    const plans = plansOf(book)
    const planOf = (key: string) => plans.find(([k]) => k === key)![1]
    const { all: metrics, perTransaction } = metricsOf(book)
    const maxQuantity = options.maxQuantity ?? "10000000"
    // A metric's usage: none, anything up to the largest quantity, or just around one of its edges.
    const quantityOf = (metric: MetricCode) => {
      const edges = edgesOf(book, metric)
      const near =
        edges.length === 0
          ? Arbitrary.Constant(Decimal.zero)
          : Arbitrary.map(
              Arbitrary.all({ edge: element(edges), offset: decimal({ min: "-2", max: "2", maxScale: 3 }) }),
              ({ edge, offset }) => BigDecimal.max(Decimal.zero, BigDecimal.sum(edge, offset))
            )
      return oneOf(Arbitrary.Constant(Decimal.zero), decimal({ max: maxQuantity, maxScale: 3 }), near)
    }
    // More usage: often a little (where an edge or threshold bites), sometimes a lot.
    const more = oneOf(
      decimal({ max: "1", maxScale: 3 }),
      decimal({ max: "1000", maxScale: 2 }),
      decimal({ max: maxQuantity, maxScale: 3 })
    )
    const money = (minor: bigint) => Money.format(Money.make(book.currency, minor))
    const base = (plan: PriceBook.Plan) =>
      plan.charges.reduce(
        (acc, c) =>
          c._tag === "Flat" ? acc + Money.round(c.amount, book.currency, book.rounding).minor : acc,
        0n
      )

    // Usage: every charged metric; a metric priced per transaction as its transactions, whose sum
    // is its total.
    const usage = Arbitrary.map(
      Arbitrary.all(metrics.map((m) => (perTransaction.has(m) ? transactionList() : quantityOf(m)))),
      (figures) => {
        const totals = new Map<MetricCode, BigDecimal.BigDecimal>()
        const transactions = new Map<MetricCode, ReadonlyArray<BigDecimal.BigDecimal>>()
        metrics.forEach((m, i) => {
          const f = figures[i]!
          if (Array.isArray(f)) {
            transactions.set(m, f as ReadonlyArray<BigDecimal.BigDecimal>)
            totals.set(m, sum(f as ReadonlyArray<BigDecimal.BigDecimal>))
          } else totals.set(m, f as BigDecimal.BigDecimal)
        })
        return { usage: totals as Metrics, transactions: transactions as Transactions }
      }
    )
    const maxBill = "50000"
    const month = (withTerms: boolean): Arbitrary.Arbitrary<Month> =>
      Arbitrary.flatMap(
        Arbitrary.all({ plan: element(plans.map(([k]) => k)), period: anyPeriod }),
        ({ plan, period }) =>
          Arbitrary.map(
            Arbitrary.all({
              usage,
              profile: taxProfile(taxRules),
              terms: withTerms
                ? customerTerms(period, { maxCouponAmount: maxBill, maxCommitment: maxBill })
                : Arbitrary.Constant(CustomerTerms.none)
            }),
            (x): Month => ({ plan, period, ...x.usage, profile: x.profile, terms: x.terms })
          )
      )

    const quote = (m: Month, change: Partial<Month> = {}) => {
      const s = { ...m, ...change }
      return Quote.quote(planOf(s.plan), s.usage, {
        ...Quote.bookSettings(book),
        tax: { policy: taxRules, profile: s.profile },
        terms: s.terms,
        period: s.period,
        transactions: s.transactions
      })
    }
    const figures = (u: Metrics) => Object.fromEntries(Array.from(u, ([k, v]) => [k, Decimal.format(v)]))
    const asInvoice = (m: Month, q: Quote.Quote): Invoice.Invoice =>
      ({
        ...q,
        id: "00000000-0000-4000-8000-000000000000",
        number: null,
        customerId: "00000000-0000-4000-8000-000000000000",
        plan: "standard",
        period: m.period,
        priceBookId: book.id,
        status: "draft",
        netDays: 30,
        createdAt: Period.end(m.period),
        issuedAt: null,
        dueAt: null,
        paidAt: null,
        overdueAt: null,
        cancelledAt: null,
        paymentReference: null,
        cancellationReason: null
      }) as Invoice.Invoice

    const found: Array<Counterexample> = []
    /** Checks one law; on a falsification, explains the shrunk month. */
    const law = <A extends { readonly month: Month }>(
      name: Law,
      arbitrary: Arbitrary.Arbitrary<A>,
      problem: (value: A) => Effect.Effect<string | null, Quote.QuoteError>,
      metric: string | null = null
    ) =>
      Effect.gen(function* () {
        const holds = (value: A) =>
          Effect.map(Effect.result(problem(value)), (r) => r._tag === "Success" && r.success === null)
        const result = yield* Arbitrary.checkEffect(arbitrary, holds, { runs, seed })
        if (result._tag === "Passed") return
        if (result._tag === "Falsified") {
          const input = result.shrunkInput
          const why = yield* Effect.result(problem(input))
          found.push({
            law: name,
            plan: input.month.plan,
            metric,
            message:
              why._tag === "Success"
                ? (why.success ?? "the law failed")
                : `pricing failed: ${(why.failure as { code?: string }).code ?? why.failure._tag}`,
            usage: figures(input.month.usage),
            replay: result.replay
          })
          return
        }
        found.push({
          law: name,
          plan: "",
          metric,
          message: Arbitrary.formatCheckFailure(result) ?? result._tag,
          usage: {},
          replay: null
        })
      })

    if (only.has("reconciliation"))
      yield* law(
        "reconciliation",
        Arbitrary.map(month(true), (month) => ({ month })),
        ({ month }) =>
          Effect.map(quote(month), (q) => {
            const errors = Invoice.reconciliationErrors(asInvoice(month, q))
            return errors.length === 0 ? null : errors.join("; ")
          })
      )

    if (only.has("monotone"))
      for (const metric of metrics) {
        const extra = perTransaction.has(metric)
          ? Arbitrary.all({ amount: decimal({ max: "10000", maxScale: 2 }), at: int(0, 20) })
          : Arbitrary.all({ amount: more, at: Arbitrary.Constant(0) })
        yield* law(
          "monotone",
          Arbitrary.all({ month: month(true), extra }),
          ({ month, extra }) =>
            Effect.gen(function* () {
              const usage = new Map(month.usage)
              usage.set(metric, BigDecimal.sum(month.usage.get(metric)!, extra.amount))
              const transactions = new Map(month.transactions)
              const list = month.transactions.get(metric)
              if (list !== undefined) {
                const at = Math.min(extra.at, list.length)
                transactions.set(metric, [...list.slice(0, at), extra.amount, ...list.slice(at)])
              }
              const before = yield* quote(month)
              const after = yield* quote(month, { usage, transactions })
              return after.total >= before.total
                ? null
                : `${Decimal.format(extra.amount)} more ${metric} lowered the total from ${money(before.total)} to ${money(after.total)} (subtotal ${money(before.subtotal)} → ${money(after.subtotal)}, discount ${money(before.discount)} → ${money(after.discount)})`
            }),
          metric
        )
      }

    // Every edge of every metric, probed directly in every plan: just below it against just
    // above it, the rest of the month idle. This is where a volume band makes a cliff.
    if (only.has("monotone")) {
      const steps = ["0.001", "1", "1000"].map(Decimal.unsafe)
      for (const [key] of plans)
        probes: for (const metric of metrics) {
          if (perTransaction.has(metric)) continue
          for (const edge of edgesOf(book, metric))
            for (const step of steps) {
              const below = BigDecimal.max(Decimal.zero, BigDecimal.subtract(edge, step))
              const idle = new Map(metrics.map((m) => [m, Decimal.zero] as const))
              const month: Month = {
                plan: key,
                usage: new Map(idle).set(metric, below),
                transactions: new Map(Array.from(perTransaction, (m) => [m, []] as const)),
                profile: {},
                period: Period.make(2026, 1),
                terms: CustomerTerms.none
              }
              const above = new Map(month.usage).set(metric, BigDecimal.sum(edge, step))
              const priced = yield* Effect.result(Effect.all([quote(month), quote(month, { usage: above })]))
              if (priced._tag === "Failure") continue
              const [before, after] = priced.success
              if (after.total < before.total) {
                found.push({
                  law: "monotone",
                  plan: key,
                  metric,
                  message: `${Decimal.format(BigDecimal.sum(edge, step))} ${metric} cost ${money(after.total)}, less than ${money(before.total)} for ${Decimal.format(below)} (an edge of its price at ${Decimal.format(edge)})`,
                  usage: figures(above),
                  replay: null
                })
                continue probes
              }
            }
        }
    }

    // The discount rule alone, around its threshold: a larger subtotal never pays less after it
    // (whatever usage reaches those subtotals).
    if (only.has("monotone") && book.discount._tag !== "NoDiscount") {
      const threshold = Money.round(book.discount.threshold, book.currency, book.rounding).minor
      const around = Arbitrary.map(int(-100_000, 100_000), (d) => {
        const s = threshold + BigInt(d)
        return s < 0n ? 0n : s
      })
      const rule = book.discount
      const after = (minor: bigint) =>
        minor - Discount.compute(rule, Money.make(book.currency, minor), book.rounding).minor
      const result = yield* Arbitrary.checkEffect(
        Arbitrary.all({ subtotal: around, extra: int(1, 100_000) }),
        ({ subtotal, extra }) => after(subtotal + BigInt(extra)) >= after(subtotal),
        { runs, seed }
      )
      if (result._tag === "Falsified") {
        const { subtotal, extra } = result.shrunkInput
        const larger = subtotal + BigInt(extra)
        found.push({
          law: "monotone",
          plan: "",
          metric: null,
          message: `the discount rule (${book.discount._tag}) lowers a bill: a subtotal of ${money(larger)} pays ${money(after(larger))} after it, less than ${money(after(subtotal))} for ${money(subtotal)}`,
          usage: {},
          replay: result.replay
        })
      }
    }

    if (only.has("idle-pays-base"))
      yield* law(
        "idle-pays-base",
        Arbitrary.map(month(false), (month) => ({ month })),
        ({ month }) =>
          Effect.map(
            quote(month, {
              usage: new Map(metrics.map((m) => [m, Decimal.zero])),
              transactions: new Map(Array.from(perTransaction, (m) => [m, []]))
            }),
            (q) => {
              const expected = base(planOf(month.plan))
              return q.subtotal === expected
                ? null
                : `an idle month's subtotal is ${money(q.subtotal)}, not the base ${money(expected)}`
            }
          )
      )

    if (only.has("whole-minor-units"))
      yield* law(
        "whole-minor-units",
        Arbitrary.map(month(true), (month) => ({ month })),
        ({ month }) =>
          Effect.map(quote(month), (q) => {
            const amounts = [
              q.subtotal,
              q.discount,
              q.taxable,
              q.tax,
              q.total,
              ...q.lines.flatMap((l) => [l.amount, l.discount])
            ]
            if (amounts.some((a) => typeof a !== "bigint")) return "an amount is not whole minor units"
            for (const l of q.lines) {
              const rounded = Money.round(l.preciseAmount!, book.currency, book.rounding).minor
              if (rounded !== l.amount)
                return `line ${l.code} is ${money(l.amount)}, not its exact ${Decimal.format(l.preciseAmount!)} rounded ${book.rounding} (${money(rounded)})`
            }
            return null
          })
      )

    if (only.has("discount-within-subtotal"))
      yield* law(
        "discount-within-subtotal",
        Arbitrary.map(month(true), (month) => ({ month })),
        ({ month }) =>
          Effect.map(quote(month), (q) =>
            q.discount >= 0n &&
            q.discount <= q.subtotal &&
            q.lines.every((l) => l.discount >= 0n && l.discount <= l.amount)
              ? null
              : `the discount ${money(q.discount)} is not within the subtotal ${money(q.subtotal)}`
          )
      )

    if (only.has("coupons-never-negative"))
      yield* law(
        "coupons-never-negative",
        Arbitrary.map(month(true), (month) => ({ month })),
        ({ month }) =>
          Effect.gen(function* () {
            const withCoupons = yield* quote(month)
            const without = yield* quote(month, { terms: { ...month.terms, coupons: [] } })
            if (withCoupons.total < 0n) return `coupons made the total negative: ${money(withCoupons.total)}`
            return withCoupons.total <= without.total
              ? null
              : `coupons raised the total from ${money(without.total)} to ${money(withCoupons.total)}`
          })
      )

    if (only.has("commitment-never-lowers"))
      yield* law(
        "commitment-never-lowers",
        Arbitrary.all({ month: month(true), commitment: commitment(maxBill) }),
        ({ month, commitment }) =>
          Effect.gen(function* () {
            const { commitment: _none, ...withoutCommitment } = month.terms
            const without = yield* quote(month, { terms: withoutCommitment })
            const withIt = yield* quote(month, { terms: { ...month.terms, commitment } })
            return withIt.total >= without.total
              ? null
              : `a ${Decimal.format(commitment.minimum)} commitment lowered the total from ${money(without.total)} to ${money(withIt.total)}`
          })
      )

    return found
  })

/**
 * The result of {@link check} as text, for a command line (`securebase price-book check FILE`):
 * one line per law that holds or not, each counterexample with its plan, metric and month.
 */
export const render = (book: PriceBook.PriceBook, found: ReadonlyArray<Counterexample>): string => {
  const out: Array<string> = [`${book.name} (${book.id}, ${book.currency})`]
  for (const law of laws) {
    const broken = found.filter((c) => c.law === law)
    out.push(`${broken.length === 0 ? "✓" : "✗"} ${law}`)
    for (const c of broken) {
      const where = [c.plan === "" ? null : `plan ${c.plan}`, c.metric === null ? null : `metric ${c.metric}`]
        .filter((x) => x !== null)
        .join(", ")
      out.push(`    ${where === "" ? "" : `${where}: `}${c.message}`)
      const usage = Object.entries(c.usage)
        .filter(([, q]) => q !== "0")
        .map(([m, q]) => `${m} ${q}`)
        .join(", ")
      if (usage !== "") out.push(`    usage: ${usage}`)
    }
  }
  out.push(found.length === 0 ? "The book obeys every law." : `${found.length} counterexample(s).`)
  return out.join("\n")
}
