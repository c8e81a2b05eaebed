/**
 * Embedding the billing core in your own service: one demo customer per reference plan, a month of usage
 * events, each customer's invoice priced, numbered, issued and printed. No database, no network:
 * the core is pure, so this is what your own billing job would call with your own data.
 *
 *   npx node examples/src/embed-the-core.ts [YYYY-MM]
 */
import {
  Customer,
  Ids,
  Invoice,
  InvoiceLifecycle,
  InvoiceText,
  Invoicing,
  Metric,
  Money,
  Period,
  PriceBook,
  Tax,
  Usage
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Schema } from "effect"

const customers = [
  ["0b7c2a4e-3f1d-4c55-9a1e-00000000a001", "Acme Analytics", "standard", {}, { accounts: 12, calls: 40_000 }],
  [
    "0b7c2a4e-3f1d-4c55-9a1e-00000000a002",
    "Ledgerline Payments",
    "fintech",
    {},
    { accounts: 54, calls: 220_000 }
  ],
  [
    "0b7c2a4e-3f1d-4c55-9a1e-00000000a003",
    "Northwind Health",
    "healthcare",
    {},
    { accounts: 90, calls: 300_000 }
  ],
  [
    "0b7c2a4e-3f1d-4c55-9a1e-00000000a004",
    "Federal Records Agency",
    "gov-federal",
    { exemption: { reason: "US federal government purchaser", certificate: "GSA-EX-2026-0042" } },
    { accounts: 260, calls: 700_000 }
  ]
] as const

/** A deterministic month of usage: daily API calls, a scan a day, accounts seen, storage growing. */
const monthOfUsage = (
  customerId: Ids.CustomerId,
  period: Period.Period,
  shape: { accounts: number; calls: number }
) => {
  const events: Array<Usage.UsageEvent> = []
  const start = DateTime.toEpochMillis(Period.start(period))
  const days = Math.round((DateTime.toEpochMillis(Period.end(period)) - start) / 86_400_000)
  const event = (
    id: string,
    metric: keyof typeof Metric.defaults,
    day: number,
    quantity: bigint,
    subject?: string
  ) =>
    new Usage.UsageEvent({
      id: Schema.decodeSync(Ids.UsageEventId)(`${period}/${id}`),
      customerId,
      metric: Metric.code(metric),
      occurredAt: DateTime.makeUnsafe(start + day * 86_400_000 + 3_600_000),
      quantity: BigDecimal.fromBigInt(quantity),
      ...(subject === undefined ? {} : { subject })
    })
  for (let day = 0; day < days; day++) {
    events.push(event(`calls/${day}`, "api_calls", day, BigInt(shape.calls)))
    events.push(event(`scan/${day}`, "compliance_scans", day, 1n))
    events.push(event(`storage/${day}`, "storage_gb", day, BigInt(80 + day * 4)))
  }
  for (let a = 0; a < shape.accounts; a++)
    events.push(event(`account/${a}`, "accounts", a % days, 1n, `acct-${a}`))
  return events
}

const program = Effect.gen(function* () {
  const now = yield* DateTime.now
  const period =
    process.argv[2] === undefined
      ? Period.previous(Period.ofDateTime(now))
      : Schema.decodeSync(Period.Period)(process.argv[2])
  const issuedAt = Period.end(period)
  const { year } = Period.parts(Period.ofDateTime(issuedAt))
  let sequence = 0
  let grandTotal = Money.zero("USD")
  console.log(
    `SecureBase: pricing ${period} for ${customers.length} demo customers with ${PriceBook.referenceCard.name}\n`
  )
  for (const [id, name, plan, taxProfile, shape] of customers) {
    const customer = new Customer.Customer({
      id: Schema.decodeSync(Ids.CustomerId)(id),
      name,
      email: `billing@${name.toLowerCase().replaceAll(/[^a-z]/g, "")}.example`,
      plan,
      status: "active",
      taxProfile,
      netDays: 30
    })
    const usage = yield* Usage.aggregate({
      catalog: Metric.defaultCatalog,
      customerId: customer.id,
      period,
      events: monthOfUsage(customer.id, period, shape)
    })
    const draft = yield* Invoicing.priceInvoice({
      invoiceId: Schema.decodeSync(Ids.InvoiceId)(id.replace(/a00(\d)$/, "b00$1")),
      customerId: customer.id,
      plan: customer.plan,
      taxProfile: customer.taxProfile,
      period,
      priceBook: PriceBook.referenceCard,
      taxRules: Tax.referenceCard,
      usage,
      createdAt: issuedAt,
      netDays: customer.netDays
    })
    const problems = Invoice.reconciliationErrors(draft)
    if (problems.length > 0)
      return yield* Effect.die(new Error(`invoice does not reconcile: ${problems.join("; ")}`))
    const issued = yield* InvoiceLifecycle.issue(draft, {
      number: Invoice.formatNumber(year, ++sequence),
      at: issuedAt
    })
    grandTotal = Money.add(grandTotal, Money.make(issued.currency, issued.total))
    console.log(InvoiceText.render(issued, { customerName: customer.name }))
    console.log("")
  }
  console.log(
    `${customers.length} invoices issued, ${Money.format(grandTotal)} in total, every one reconciled to the cent.`
  )
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
