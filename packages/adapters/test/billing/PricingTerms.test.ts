/**
 * Per-customer pricing on PostgreSQL (PGlite always, the server when DATABASE_URL is set): a
 * customer's currency (fixed at creation, enforced by the database) and terms are stored; the
 * billing run prices each customer by the book of its currency with its terms and stores each
 * line's breakdown, the discount lines and the commitment's true-up; the dry-run diff of a new
 * book writes nothing.
 */
import { assert } from "@effect/vitest"
import {
  AuditLog,
  BillingRun,
  ChangeTerms,
  Customer,
  CustomerPricing,
  CustomerRepo,
  Decimal,
  type Ids,
  Invoice,
  InvoiceRepo,
  Metric,
  Period,
  PriceBook,
  Pricing,
  Repricing,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"
import * as S from "./Support.ts"

const d = Decimal.unsafe
const eurBook = PriceBook.withId(
  PriceBook.withCurrency(PriceBook.referenceCard, "EUR"),
  "securebase-2026-eur" as never
)
const twoCurrencies = Pricing.withPriceBook(Pricing.referenceCard, eurBook)
const encodeInvoice = Schema.encodeSync(Invoice.Invoice)
const encodeCustomer = Schema.encodeSync(Customer.Customer)

const helios = (p: Period.Period): Customer.Customer["terms"] => ({
  coupons: [
    {
      code: "launch10",
      description: "Launch offer",
      discount: { _tag: "PercentOff", rate: d("0.1") },
      startPeriod: p,
      duration: { _tag: "Periods", count: 3 }
    }
  ],
  commitment: { minimum: d("3000") }
})

/** A standard-plan customer of a currency and terms, with `calls` API calls in `p`. */
const onboard = (
  p: Period.Period,
  calls: number,
  options: {
    currency?: Customer.Customer["currency"]
    terms?: Customer.Customer["terms"]
    name?: string
  } = {}
) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const id = Fixtures.customerId()
    const customer = new Customer.Customer({
      id,
      name: options.name ?? "Helios Travel",
      email: `billing+${id.slice(0, 8)}@helios.test`,
      plan: "standard",
      status: "active",
      taxProfile: {},
      netDays: 30,
      currency: options.currency ?? "USD",
      terms: options.terms ?? {}
    })
    yield* tenancy.runAs(
      id,
      Effect.gen(function* () {
        yield* CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
        yield* UsageEventRepo.UsageEventRepo.use((r) =>
          r.record(
            new Usage.UsageEvent({
              id: `calls-${p}` as Ids.UsageEventId,
              customerId: id,
              metric: Metric.code("api_calls"),
              occurredAt: DateTime.add(Period.start(p), { days: 14 }),
              quantity: BigDecimal.fromBigInt(BigInt(calls))
            })
          )
        )
      })
    )
    return customer
  }).pipe(Effect.orDie)

const count = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`, (rows) => rows[0]!.n)
  ).pipe(Effect.orDie)

suite("Pricing terms and currencies", (it) => {
  it.effect("a customer's currency and terms are stored and read back", () =>
    Effect.gen(function* () {
      const p = S.period("2026-02")
      const customer = yield* onboard(p, 0, { currency: "EUR", terms: helios(p) })
      const found = yield* Tenancy.Tenancy.use((t) =>
        t.runAs(
          customer.id,
          CustomerRepo.CustomerRepo.use((r) => r.findById(customer.id))
        )
      )
      // Compared encoded: decimals compare by value, not by their cached normal form. The store
      // stamps the creation date (its round trip is Repositories.test's); this test is about the rest.
      assert.isDefined(found.createdAt)
      assert.deepStrictEqual(
        encodeCustomer(found),
        encodeCustomer(new Customer.Customer({ ...customer, createdAt: found.createdAt! }))
      )
      assert.strictEqual(found.currency, "EUR")
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("changing a customer's terms stores them and audits the change in the same transaction", () =>
    Effect.gen(function* () {
      const p = S.period("2026-02")
      const customer = yield* onboard(p, 0)
      const tenancy = yield* Tenancy.Tenancy
      const changed = yield* tenancy
        .runAs(customer.id, ChangeTerms.changeTerms(customer.id, helios(p)))
        .pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor: "operator:alice" }))
      assert.deepStrictEqual(
        encodeCustomer(changed).terms,
        encodeCustomer(new Customer.Customer({ ...customer, terms: helios(p) })).terms
      )
      const [events, found] = yield* tenancy.runAs(
        customer.id,
        Effect.all([
          AuditLog.AuditLog.use((a) => a.list(customer.id)),
          CustomerRepo.CustomerRepo.use((r) => r.findById(customer.id))
        ])
      )
      const event = events.find((e) => e.action === "customer.terms_changed")!
      assert.deepStrictEqual([event.actor, event.subjectId], ["operator:alice", customer.id])
      assert.deepStrictEqual((event.payload as any).before, {})
      assert.strictEqual((event.payload as any).after.commitment.minimum, "3000")
      assert.deepStrictEqual(encodeCustomer(found), encodeCustomer(changed))
      // Another tenant's terms cannot be changed: row-level security shows no such customer.
      const other = yield* onboard(p, 0)
      const denied = yield* Effect.flip(tenancy.runAs(customer.id, ChangeTerms.changeTerms(other.id, {})))
      assert.strictEqual(denied._tag, "NotFound")
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("a customer's currency is fixed: the database refuses to change it, even to a superuser", () =>
    Effect.gen(function* () {
      const customer = yield* onboard(S.period("2026-02"), 0)
      const sql = yield* SqlClient.SqlClient
      const superuser = yield* Effect.flip(
        sql`UPDATE customers SET currency = 'EUR' WHERE id = ${customer.id}`
      )
      assert.strictEqual(superuser._tag, "SqlError")
      const asApp = yield* Effect.flip(
        Tenancy.Tenancy.use((t) =>
          t.runAs(customer.id, sql`UPDATE customers SET currency = 'EUR' WHERE id = ${customer.id}`)
        )
      )
      assert.strictEqual(asApp._tag, "SqlError")
      const [row] = yield* sql<{ currency: string }>`SELECT currency FROM customers WHERE id = ${customer.id}`
      assert.strictEqual(row!.currency, "USD")
      // Other columns still update.
      yield* sql`UPDATE customers SET name = 'Renamed' WHERE id = ${customer.id}`
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("an invoice in another currency than its customer's is refused by the database", () =>
    Effect.gen(function* () {
      const customer = yield* onboard(S.period("2026-02"), 0)
      const usd = yield* Fixtures.draftInvoice(customer.id)
      const inEuro: Invoice.Invoice = { ...usd, currency: "EUR" }
      const error = yield* Effect.flip(
        Tenancy.Tenancy.use((t) =>
          t.runAs(
            customer.id,
            InvoiceRepo.InvoiceRepo.use((r) => r.insert(inEuro))
          )
        )
      )
      assert.strictEqual(error._tag, "PersistenceFailure")
      yield* Tenancy.Tenancy.use((t) =>
        t.runAs(
          customer.id,
          InvoiceRepo.InvoiceRepo.use((r) => r.insert(usd))
        )
      )
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("the database refuses discount lines that do not add up to the discount", () =>
    Effect.gen(function* () {
      const customer = yield* onboard(S.period("2026-02"), 0)
      const draft = yield* Fixtures.draftInvoice(customer.id)
      assert.strictEqual(draft.discounts.length, 1)
      const tampered: Invoice.Invoice = {
        ...draft,
        discounts: [{ ...draft.discounts[0]!, amount: draft.discounts[0]!.amount - 1n }]
      }
      const error = yield* Effect.flip(
        Tenancy.Tenancy.use((t) =>
          t.runAs(
            customer.id,
            InvoiceRepo.InvoiceRepo.use((r) => r.insert(tampered))
          )
        )
      )
      assert.deepStrictEqual(
        [error._tag, (error as { kind?: string }).kind],
        ["PersistenceFailure", "ConstraintError"]
      )
    }).pipe(Effect.provide(S.layers))
  )

  for (const batchSize of [1, 3])
    it.effect(
      `the run bills each customer by the book of its currency, with its terms, and keeps every line's breakdown (batch ${batchSize})`,
      () =>
        Effect.gen(function* () {
          yield* S.closeEveryone
          const p = S.period(batchSize === 1 ? "2026-03" : "2026-04")
          const euro = yield* onboard(p, 1_550_000, {
            currency: "EUR",
            terms: helios(p),
            name: "Helios Travel"
          })
          const dollar = yield* onboard(p, 1_550_000, { name: "Nimbus Books" })
          const yen = yield* onboard(p, 0, { currency: "JPY", name: "Sakura KK" })
          const summary = yield* BillingRun.run({ period: p, batchSize }).pipe(
            Effect.provideService(Pricing.Pricing, twoCurrencies)
          )
          assert.strictEqual(summary.billed, 2)
          assert.deepStrictEqual(summary.failures, [
            { customerId: yen.id, reason: "PRICING.NO_BOOK_FOR_CURRENCY" }
          ])
          // EUR, standard: €2,000 + 550,000 calls × €0.0004 = €2,220; the €3,000 commitment adds a
          // €780 true-up; 10% launch coupon = €300 → €2,700 (under the €5,000 volume threshold);
          // 8% tax = €216; total €2,916.00.
          // USD, list prices: $2,000 + $220 = $2,220; 8% = $177.60; total $2,397.60.
          assert.deepStrictEqual([summary.totals.get("EUR"), summary.totals.get("USD")], [291600n, 239760n])
          const [ofEuro] = yield* Tenancy.Tenancy.use((t) =>
            t.runAs(
              euro.id,
              InvoiceRepo.InvoiceRepo.use((r) => r.listByCustomer(euro.id))
            )
          )
          assert.deepStrictEqual(
            [ofEuro!.currency, ofEuro!.priceBookId, ofEuro!.total],
            ["EUR", eurBook.id, 291600n]
          )
          assert.deepStrictEqual(
            ofEuro!.discounts.map((x) => [x.kind, x.code, x.amount]),
            [["coupon", "launch10", 30000n]]
          )
          const trueUp = ofEuro!.lines.at(-1)!
          assert.deepStrictEqual([trueUp.kind, trueUp.amount], ["commitment", 78000n])
          const calls = ofEuro!.lines.find((l) => l.code === "api_calls")!
          assert.strictEqual(Decimal.format(calls.preciseAmount!), "220")
          assert.deepStrictEqual(
            calls.breakdown.map((r) => [r.kind, Decimal.format(r.units), Decimal.format(r.unitPrice!)]),
            [["band", "550000", "0.0004"]]
          )
          assert.deepStrictEqual(Invoice.reconciliationErrors(ofEuro!), [])
          // What was stored is exactly what the core priced.
          const again = yield* CustomerPricing.priceFromEvents(
            euro,
            p,
            yield* Tenancy.Tenancy.use((t) =>
              t.runAs(
                euro.id,
                UsageEventRepo.UsageEventRepo.use((r) => r.listForPeriod(euro.id, p))
              )
            ),
            { at: ofEuro!.createdAt, invoiceId: ofEuro!.id }
          ).pipe(Effect.provideService(Pricing.Pricing, twoCurrencies))
          const { lines, discounts } = encodeInvoice(again)
          assert.deepStrictEqual(
            { lines: encodeInvoice(ofEuro!).lines, discounts: encodeInvoice(ofEuro!).discounts },
            { lines, discounts }
          )
          assert.strictEqual(dollar.currency, "USD")
        }).pipe(Effect.provide(S.layers))
    )

  it.effect("the dry-run diff of a new book prices every active customer under both and writes nothing", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2026-05")
      yield* onboard(p, 1_550_000, { name: "Nimbus Books" })
      yield* onboard(p, 1_550_000, { currency: "EUR", terms: helios(p), name: "Helios Travel" })
      const tables = ["invoices", "invoice_lines", "billing_claims", "notifications", "audit_events"]
      const before = yield* Effect.forEach(tables, count)
      // The new USD book raises the standard platform fee to $2,200.
      const proposed = Pricing.withPriceBook(
        twoCurrencies,
        yield* PriceBook.withCharge(
          PriceBook.withId(PriceBook.referenceCard, "securebase-2027" as never),
          "standard",
          {
            _tag: "Flat",
            code: "platform",
            description: "Platform subscription",
            amount: d("2200")
          }
        )
      )
      const diff = yield* Repricing.forPeriod(p, proposed).pipe(
        Effect.provideService(Pricing.Pricing, twoCurrencies)
      )
      assert.deepStrictEqual(yield* Effect.forEach(tables, count), before)
      const byName = new Map(diff.customers.map((c) => [c.customer.name, c]))
      // Nimbus: $2,220 + 8% = $2,397.60 → $2,420 + 8% = $2,613.60 (+$216.00).
      assert.deepStrictEqual(
        [
          byName.get("Nimbus Books")!.oldTotal,
          byName.get("Nimbus Books")!.newTotal,
          byName.get("Nimbus Books")!.delta
        ],
        [239760n, 261360n, 21600n]
      )
      // Helios is billed by the EUR book, which did not change: €2,916.00 both times.
      assert.deepStrictEqual(
        [byName.get("Helios Travel")!.oldTotal, byName.get("Helios Travel")!.change],
        [291600n, "unchanged"]
      )
      assert.deepStrictEqual(
        [
          diff.summary.customers,
          diff.summary.up,
          diff.summary.unchanged,
          diff.summary.down,
          diff.summary.failed
        ],
        [2, 1, 1, 0, 0]
      )
    }).pipe(Effect.provide(S.layers))
  )
})
