/**
 * `InvoiceRepo.listPage`: the keyset page of `GET /invoices`, over a customer with 2,000 invoices
 * (every one read exactly once, in order, whatever the page size), its filters, and another
 * customer's invoices never in it; `listPageAs` (the request's one-statement read) answers every
 * page the same.
 */
import { assert } from "@effect/vitest"
import { CustomerRepo, type Ids, Invoice, InvoiceRepo, Period, Tenancy } from "@securebase/core"
import { Effect, Schema } from "effect"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const history = 2_000
const decodePeriod = Schema.decodeSync(Period.Period)

/** The expected order: newest period first, then by id. */
const byListOrder = (a: InvoiceRepo.InvoiceSummary, b: InvoiceRepo.InvoiceSummary) =>
  a.period === b.period ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.period < b.period ? 1 : -1

/**
 * A customer with `count` invoices, one a month from 1900-01; every third one issued, numbered
 * from `firstNumber` (numbers are unique across customers).
 */
const customerWithHistory = (count: number, firstNumber: number) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const repo = yield* InvoiceRepo.InvoiceRepo
    const customers = yield* CustomerRepo.CustomerRepo
    const id = Fixtures.customerId()
    yield* tenancy.runAs(id, customers.insert(Fixtures.customer(id)))
    const template = yield* Fixtures.draftInvoice(id)
    const invoices = Array.from({ length: count }, (_, i): Invoice.Invoice => {
      const period = decodePeriod(`${1900 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`)
      const issued = i % 3 === 0
      return {
        ...template,
        id: Fixtures.invoiceId(),
        period,
        ...(issued
          ? {
              status: "issued",
              number: Invoice.formatNumber(2026, firstNumber + i),
              issuedAt: template.createdAt,
              dueAt: template.createdAt
            }
          : {})
      }
    })
    yield* tenancy.runAs(
      id,
      Effect.forEach(invoices, (invoice) => repo.insert(invoice), { discard: true })
    )
    return { id, invoices }
  })

/** Every page of `query` at `limit` a page, following the last row's position as the cursor. */
const readAll = (
  customerId: Ids.CustomerId,
  limit: number,
  query: Omit<InvoiceRepo.ListPage, "limit"> = {}
) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const repo = yield* InvoiceRepo.InvoiceRepo
    const seen: Array<InvoiceRepo.InvoiceSummary> = []
    let after: InvoiceRepo.ListPosition | undefined
    let pages = 0
    for (;;) {
      const request = { ...query, limit, ...(after === undefined ? {} : { after }) }
      const page = yield* tenancy.runAs(customerId, repo.listPage(customerId, request))
      // The request's own read (one statement, `app_invoice_page`) answers the same page.
      assert.deepStrictEqual(yield* repo.listPageAs(customerId, request), page)
      pages++
      assert.isAtMost(page.length, limit)
      seen.push(...page)
      if (page.length < limit) break
      const last = page[page.length - 1]!
      after = { period: last.period, id: last.id }
    }
    return { seen, pages }
  })

suite("InvoiceRepo.listPage", (it) => {
  it.effect(
    "pages over 2,000 invoices return every invoice once, newest period first; filters; no other tenant",
    () =>
      Effect.gen(function* () {
        const { id, invoices } = yield* customerWithHistory(history, 100_000)
        const other = yield* customerWithHistory(5, 200_000)
        const expected = invoices
          .map(
            (i): InvoiceRepo.InvoiceSummary => ({
              id: i.id,
              number: i.number,
              period: i.period,
              status: i.status,
              currency: i.currency,
              total: i.total,
              issuedAt: i.issuedAt,
              dueAt: i.dueAt
            })
          )
          .toSorted(byListOrder)

        for (const limit of [100, 7]) {
          const { seen, pages } = yield* readAll(id, limit)
          assert.strictEqual(seen.length, history)
          assert.strictEqual(pages, Math.floor(history / limit) + 1)
          assert.deepStrictEqual(
            seen.map((s) => s.id),
            expected.map((s) => s.id)
          )
        }
        // The summary columns, read back exactly.
        const { seen } = yield* readAll(id, 100)
        assert.deepStrictEqual(seen, expected)

        const issued = yield* readAll(id, 50, { status: "issued" })
        assert.deepStrictEqual(
          issued.seen.map((s) => s.id),
          expected.filter((s) => s.status === "issued").map((s) => s.id)
        )
        assert.strictEqual(issued.seen.length, Math.ceil(history / 3))
        assert.deepStrictEqual((yield* readAll(id, 50, { status: "paid" })).seen, [])

        const one = expected[1234]!
        const byPeriod = yield* readAll(id, 20, { period: one.period })
        assert.deepStrictEqual(
          byPeriod.seen.map((s) => s.id),
          [one.id]
        )
        // Status and period together narrow to nothing when they disagree.
        const otherStatus = one.status === "issued" ? "draft" : "issued"
        assert.deepStrictEqual((yield* readAll(id, 20, { period: one.period, status: otherStatus })).seen, [])

        // A page after the last position is empty; another customer's rows never appear.
        const last = expected[expected.length - 1]!
        const tenancy = yield* Tenancy.Tenancy
        const repo = yield* InvoiceRepo.InvoiceRepo
        assert.deepStrictEqual(
          yield* tenancy.runAs(
            id,
            repo.listPage(id, { limit: 10, after: { period: last.period, id: last.id } })
          ),
          []
        )
        assert.deepStrictEqual(yield* tenancy.runAs(id, repo.listPage(other.id, { limit: 10 })), [])
        assert.strictEqual((yield* readAll(other.id, 2)).seen.length, 5)
      }).pipe(Effect.provide(Fixtures.adapters)),
    300_000
  )
})
