/**
 * Embedding the core with YOUR OWN price book: "Orbital Payments" sells a payments API. Its book
 * (examples/books/orbital-payments.json) has its own three plans (starter, growth, enterprise:
 * plan codes are data, nothing else names them), a card-processing charge priced per
 * transaction (a percentage and a fee per payment, free payments, a cap per payment), API
 * requests in graduated bands and dashboard seats. The three calls:
 *
 * 1. `Quote.quote(plan, usage, options)`: price a prospect's expected month, no ids, no invoice;
 * 2. `Invoicing.priceInvoice(...)`: invoice two customers' October from their usage events, one
 *    at list prices, one with negotiated terms (a lower card rate, a 20% launch coupon for three
 *    months, a $2,500 monthly commitment);
 * 3. `PriceBookLaws.check(book)`: the core's pricing laws on the book (exits 1 on a counterexample).
 *
 *   npx node examples/src/quote-invoice-and-check.ts
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  CustomerTerms,
  Decimal,
  type Ids,
  Invoice,
  InvoiceLifecycle,
  InvoiceText,
  Invoicing,
  Metric,
  Money,
  Period,
  PriceBook,
  Quote,
  Tax,
  Usage
} from "@securebase/core"
import { PriceBookLaws } from "@securebase/core/testing"
import { BigDecimal, Console, DateTime, Effect, Schema } from "effect"

// --- The team's data: its metrics, its book (JSON), its customers' terms --------------------------

const metric = (code: string, name: string, unit: string, aggregation: Metric.Aggregation) =>
  new Metric.MetricDefinition({ code: code as Metric.MetricCode, name, unit, aggregation })
const catalog = Metric.catalog([
  // Each payment's amount; the card charge prices every payment, so the metric sums them.
  metric("payment_volume", "Card payment volume", "USD", "sum"),
  metric("api_requests", "API requests", "request", "sum"),
  metric("seats", "Dashboard seats (peak)", "seat", "max")
])
const payments = "payment_volume" as Metric.MetricCode

const bookFile = fileURLToPath(new URL("../books/orbital-payments.json", import.meta.url))

/** Helios Travel's contract: a lower card rate, a launch coupon for three months, a commitment. */
const heliosTerms = {
  prices: [
    {
      _tag: "NegotiatedUsage",
      charge: "payments",
      model: {
        _tag: "Percentage",
        rate: "0.021",
        feePerTransaction: "0.25",
        maximumPerTransaction: "20",
        freeAmount: "10000"
      }
    }
  ],
  coupons: [
    {
      code: "launch20",
      description: "Launch offer",
      discount: { _tag: "PercentOff", rate: "0.2" },
      startPeriod: "2026-09",
      duration: { _tag: "Periods", count: 3 }
    }
  ],
  commitment: { minimum: "2500", description: "Monthly minimum commitment" }
}

// --- Usage events: what the team's own services record -------------------------------------------

const october = Schema.decodeSync(Period.Period)("2026-10")
const day = 86_400_000

const event = (customerId: Ids.CustomerId, id: string, code: string, at: number, quantity: string) =>
  new Usage.UsageEvent({
    id: Schema.decodeSync(Usage.UsageEvent.fields.id)(id),
    customerId,
    metric: code as Metric.MetricCode,
    occurredAt: DateTime.makeUnsafe(at),
    quantity: Decimal.unsafe(quantity)
  })

/** October, day by day: payments at given hours, a day's API requests, the seats in use. */
const month = (
  customerId: Ids.CustomerId,
  shape: { payments: ReadonlyArray<readonly [hour: number, amount: string]>; requests: string; seats: string }
) => {
  const start = DateTime.toEpochMillis(Period.start(october))
  const events: Array<Usage.UsageEvent> = []
  for (let d = 0; d < 31; d++) {
    for (const [i, [hour, amount]] of shape.payments.entries())
      events.push(
        event(customerId, `pay-${d}-${i}`, "payment_volume", start + d * day + hour * 3_600_000, amount)
      )
    events.push(event(customerId, `api-${d}`, "api_requests", start + d * day, shape.requests))
    events.push(event(customerId, `seats-${d}`, "seats", start + d * day, shape.seats))
  }
  return events
}

const customers = [
  {
    id: "0b7c2a4e-3f1d-4c55-9a1e-00000000c001" as Ids.CustomerId,
    name: "Nimbus Books",
    plan: "starter",
    terms: {},
    // Two payments a day ($40 in the morning, $60 in the afternoon), 30,000 requests, 5 seats.
    shape: {
      payments: [
        [9, "40"],
        [15, "60"]
      ] as const,
      requests: "30000",
      seats: "5"
    }
  },
  {
    id: "0b7c2a4e-3f1d-4c55-9a1e-00000000c002" as Ids.CustomerId,
    name: "Helios Travel",
    plan: "growth",
    terms: heliosTerms,
    // Ten $200 payments a day, 40,000 requests, 12 seats.
    shape: {
      payments: Array.from({ length: 10 }, (_, h) => [8 + h, "200"] as const),
      requests: "40000",
      seats: "12"
    }
  }
]

// --- The program -----------------------------------------------------------------------------------

const usd = (minor: bigint) => Money.format(Money.make("USD", minor))

const main = Effect.gen(function* () {
  const book = yield* PriceBook.decode(JSON.parse(readFileSync(bookFile, "utf8")))
  yield* Console.log(`${book.name} (${book.currency}), priced by @securebase/core\n`)

  // 1. A quote: the Growth plan for a prospect's expected month.
  const expected = Array.from({ length: 400 }, () => Decimal.unsafe("85"))
  const quoted = yield* Quote.quote(
    yield* PriceBook.plan(book, "growth"),
    new Map([
      [payments, expected.reduce((a, x) => BigDecimal.sum(a, x), Decimal.zero)],
      ["api_requests" as Metric.MetricCode, Decimal.unsafe("2500000")],
      ["seats" as Metric.MetricCode, Decimal.unsafe("14")]
    ]),
    {
      ...Quote.bookSettings(book),
      tax: { policy: Tax.referenceCard, profile: {} },
      transactions: new Map([[payments, expected]])
    }
  )
  yield* Console.log("QUOTE: Growth plan, 400 payments of $85, 2,500,000 requests, 14 seats")
  for (const line of quoted.lines) {
    yield* Console.log(`  ${line.description.padEnd(20)} ${usd(line.amount).padStart(12)}`)
    for (const r of InvoiceText.breakdownRows(line)) yield* Console.log(`      ${InvoiceText.formatRow(r)}`)
  }
  yield* Console.log(
    `  Subtotal ${usd(quoted.subtotal)}, tax ${usd(quoted.tax)}, total ${usd(quoted.total)}\n`
  )

  // 2. Invoices from a month of events.
  let sequence = 0
  for (const c of customers) {
    const events = month(c.id, c.shape)
    const terms = yield* CustomerTerms.decode(c.terms)
    const usage = yield* Usage.aggregate({ catalog, customerId: c.id, period: october, events })
    const transactions = yield* Usage.transactions({
      customerId: c.id,
      period: october,
      events,
      metrics: Quote.transactionMetrics(yield* PriceBook.plan(book, c.plan), terms)
    })
    const draft = yield* Invoicing.priceInvoice({
      invoiceId: c.id.replace(/c00(\d)$/, "f00$1") as Ids.InvoiceId,
      customerId: c.id,
      plan: c.plan,
      taxProfile: {},
      period: october,
      priceBook: book,
      taxRules: Tax.referenceCard,
      usage,
      createdAt: Period.end(october),
      terms,
      transactions
    })
    const problems = Invoice.reconciliationErrors(draft)
    if (problems.length > 0) return yield* Effect.fail(`invoice does not reconcile: ${problems.join("; ")}`)
    const issued = yield* InvoiceLifecycle.issue(draft, {
      number: Invoice.formatNumber(2026, ++sequence),
      at: Period.end(october)
    })
    yield* Console.log(InvoiceText.render(issued, { customerName: c.name }))
    yield* Console.log("")
  }

  // 3. The core's pricing laws on the team's own book.
  const found = yield* PriceBookLaws.check(book, { runs: 50 })
  if (found.length > 0) {
    for (const c of found) yield* Console.log(`✗ ${c.law} (${c.plan} ${c.metric ?? ""}): ${c.message}`)
    return false
  }
  yield* Console.log(`✓ ${PriceBookLaws.laws.length} pricing laws hold for ${book.name}`)
  return true
})

Effect.runPromise(
  main.pipe(Effect.catch((error) => Effect.as(Console.error(`error: ${String(error)}`), false)))
).then((ok) => {
  process.exitCode = ok ? 0 : 1
})
