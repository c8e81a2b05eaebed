/**
 * Invoices priced per second by the pure core (`Invoicing.priceInvoice`), with a baseline in the
 * same run: the same standard-plan bill computed the naive way, with `number` floats and
 * `Math.round` (what the core refuses to do), to show what exactness costs.
 */
import { BigDecimal, DateTime, Effect } from "effect"
import { Bench } from "tinybench"
import {
  type Ids,
  Invoicing,
  Metric,
  type Period,
  PriceBook,
  Tax,
  Usage
} from "../packages/core/src/index.ts"
import { report } from "./support/report.ts"

const base = {
  invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-000000000001" as Ids.InvoiceId,
  customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId,
  taxProfile: {},
  period: "2026-10" as Period.Period,
  priceBook: PriceBook.referenceCard,
  taxRules: Tax.referenceCard,
  createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
}
const busy = Effect.runSync(
  Usage.metrics(Metric.defaultCatalog, {
    api_calls: "12345678",
    accounts: "37",
    storage_gb: "812.5",
    data_transfer_gb: "2345.67",
    compliance_scans: "1234",
    log_archive_gb: "321.09"
  })
)
const quiet = Effect.runSync(Usage.metrics(Metric.defaultCatalog, {}))

const price = (plan: "standard" | "gov-federal", usage: Usage.Metrics) =>
  Effect.runSync(Invoicing.priceInvoice({ ...base, plan, usage }))

// The naive baseline: floats in dollars, Math.round to cents at the end. Same plan, same usage.
const naiveStandard = (m: Record<string, number>) => {
  const over = (q: number, inc: number) => Math.max(0, q - inc)
  const calls = over(m.api_calls!, 1_000_000)
  const lines = [
    2000,
    Math.min(calls, 10_000_000) * 0.0004 + Math.max(0, calls - 10_000_000) * 0.0002,
    over(m.accounts!, 10) * 150,
    over(m.storage_gb!, 100) * 0.25,
    over(m.data_transfer_gb!, 500) * 0.09,
    Math.ceil(over(m.compliance_scans!, 100) / 100) * 50,
    over(m.log_archive_gb!, 50) * 0.03
  ].map((x) => Math.round(x * 100) / 100)
  const subtotal = lines.reduce((a, b) => a + b, 0)
  const discount = subtotal > 5000 ? Math.min(Math.round(subtotal * 5) / 100, subtotal - 5000) : 0
  const tax = Math.round((subtotal - discount) * 8) / 100
  return subtotal - discount + tax
}
const busyNumbers = Object.fromEntries(Array.from(busy, ([k, v]) => [k, BigDecimal.toNumberUnsafe(v)]))

const events = Array.from(
  { length: 1000 },
  (_, i) =>
    new Usage.UsageEvent({
      id: `evt-${i}` as Ids.UsageEventId,
      customerId: base.customerId,
      metric: Metric.code(i % 3 === 0 ? "api_calls" : i % 3 === 1 ? "storage_gb" : "accounts"),
      occurredAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 1 + (i % 31))),
      quantity: BigDecimal.fromBigInt(BigInt(1 + (i % 97))),
      subject: `acct-${i % 40}`
    })
)

const bench = new Bench({ time: Number(process.env.BENCH_MS ?? 2000), warmupTime: 300 })
bench
  .add("core: price a standard invoice, busy month (7 lines, discount, tax)", () => {
    price("standard", busy)
  })
  .add("core: price a gov-federal invoice, quiet month", () => {
    price("gov-federal", quiet)
  })
  .add("baseline: the same standard bill with floats (inexact)", () => {
    naiveStandard(busyNumbers)
  })
  .add("core: aggregate 1,000 events → metrics → invoice", () => {
    const usage = Effect.runSync(
      Usage.aggregate({
        catalog: Metric.defaultCatalog,
        customerId: base.customerId,
        period: base.period,
        events
      })
    )
    price("standard", usage)
  })

await bench.run()
report("pricing benchmark", bench)
