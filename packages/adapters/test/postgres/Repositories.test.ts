import { assert } from "@effect/vitest"
import {
  Customer,
  CustomerRepo,
  Invoice,
  InvoiceLifecycle,
  InvoiceRepo,
  Period,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const encodeInvoice = Schema.encodeSync(Invoice.Invoice)
const encodeEvent = Schema.encodeSync(Usage.UsageEvent)

/** Creates a customer through the repository, as that customer. */
const onboard = (id = Fixtures.customerId()) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const repo = yield* CustomerRepo.CustomerRepo
    yield* tenancy.runAs(id, repo.insert(Fixtures.customer(id)))
    return id
  })

suite("CustomerRepo", (it) => {
  it.effect("inserts and reads back a customer, tax profile and creation date included", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const id = Fixtures.customerId()
      const customer = new Customer.Customer({
        ...Fixtures.customer(id),
        createdAt: DateTime.makeUnsafe("2026-08-01T00:00:00.000Z")
      })
      const inserted = yield* tenancy.runAs(id, repo.insert(customer))
      const found = yield* tenancy.runAs(id, repo.findById(id))
      assert.deepStrictEqual(found, customer)
      assert.deepStrictEqual(inserted, found)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a customer inserted without a creation date is created now, and says so when read", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const id = Fixtures.customerId()
      const before = yield* DateTime.now
      yield* tenancy.runAs(id, repo.insert(Fixtures.customer(id)))
      const found = yield* tenancy.runAs(id, repo.findById(id))
      assert.isDefined(found.createdAt)
      assert.isFalse(DateTime.isLessThan(found.createdAt!, DateTime.subtract(before, { minutes: 1 })))
      const { createdAt: _, ...rest } = found
      assert.deepStrictEqual(new Customer.Customer(rest), Fixtures.customer(id))
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a second insert of the same id is AlreadyExists", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const id = yield* onboard()
      const error = yield* Effect.flip(tenancy.runAs(id, repo.insert(Fixtures.customer(id))))
      assert.strictEqual(error._tag, "AlreadyExists")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("inserting a customer as another customer is TenantAccessDenied", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const error = yield* Effect.flip(tenancy.runAs(Fixtures.customerId(), repo.insert(Fixtures.customer())))
      assert.strictEqual(error._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("another customer's row, or a missing one, is NotFound for reads and updates", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const read = yield* Effect.flip(tenancy.runAs(a, repo.findById(b)))
      const missing = yield* Effect.flip(tenancy.runAs(a, repo.findById(Fixtures.customerId())))
      const update = yield* Effect.flip(tenancy.runAs(a, repo.setStatus(b, "suspended")))
      assert.deepStrictEqual([read._tag, missing._tag, update._tag], ["NotFound", "NotFound", "NotFound"])
      assert.strictEqual((yield* tenancy.runAs(b, repo.findById(b))).status, "active")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("setStatus updates the tenant's own row", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const id = yield* onboard()
      const updated = yield* tenancy.runAs(id, repo.setStatus(id, "suspended"))
      assert.strictEqual(updated.status, "suspended")
      assert.strictEqual((yield* tenancy.runAs(id, repo.findById(id))).status, "suspended")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("list shows a tenant only itself, and the worker every customer", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const asA = yield* tenancy.runAs(a, repo.list)
      assert.deepStrictEqual(
        asA.map((c) => c.id),
        [a]
      )
      const asWorker = (yield* tenancy.runAsWorker(repo.list)).map((c) => c.id)
      assert.includeMembers(asWorker, [a, b])
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})

suite("UsageEventRepo", (it) => {
  it.effect("records an event once: a resend is a duplicate, even written with another scale", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const id = yield* onboard()
      const first = yield* tenancy.runAs(id, repo.record(Fixtures.usageEvent(id, "batch-1/evt-1", "1250.5")))
      const again = yield* tenancy.runAs(id, repo.record(Fixtures.usageEvent(id, "batch-1/evt-1", "1250.50")))
      assert.deepStrictEqual([first, again], ["recorded", "duplicate"])
      const period = Schema.decodeSync(Period.Period)("2026-10")
      assert.strictEqual((yield* tenancy.runAs(id, repo.listForPeriod(id, period))).length, 1)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  // The batch statement answers only the ids it did not insert (issue 16): the counts and the
  // conflict check must still see every stored one, among new ones and repeats in any order.
  it.effect(
    "a batch of new, stored and repeated events counts each once; a changed one among them takes it all back",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const repo = yield* UsageEventRepo.UsageEventRepo
        const id = yield* onboard()
        const e = (key: string, quantity = "1") => Fixtures.usageEvent(id, key, quantity)
        // "NULL" is a valid id: it must not read as a missing one where ids travel as a list.
        const first = yield* tenancy.runAs(id, repo.recordAll([e("b"), e("d"), e("NULL")]))
        assert.deepStrictEqual(first, { recorded: 3, duplicates: 0 })
        const mixed = yield* tenancy.runAs(
          id,
          repo.recordAll([e("e"), e("d"), e("a"), e("NULL"), e("a"), e("c"), e("b", "1.0")])
        )
        assert.deepStrictEqual(mixed, { recorded: 3, duplicates: 4 })
        const conflict = yield* Effect.flip(
          tenancy.runAs(id, repo.recordAll([e("f"), e("b"), e("d", "2"), e("g")]))
        )
        assert.strictEqual(conflict._tag, "UsageEventConflict")
        const period = Schema.decodeSync(Period.Period)("2026-10")
        const stored = yield* tenancy.runAs(id, repo.listForPeriod(id, period))
        assert.deepStrictEqual(stored.map((s) => s.id).sort(), ["NULL", "a", "b", "c", "d", "e"])
        assert.deepStrictEqual(encodeEvent(stored.find((s) => s.id === "d")!), encodeEvent(e("d")))
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  // A resent event is compared with the stored row before (instead of) validating the row
  // (issue 16): a row today's rules refuse must still be a conflict, never a duplicate or a 5xx.
  it.effect("a resend over a stored row that breaks today's rules is a UsageEventConflict", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const sql = yield* SqlClient.SqlClient
      const id = yield* onboard()
      const at = "2026-10-20T08:00:00Z"
      // Written by the suite's privileged login, as another writer (or an older version) could.
      yield* sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
        VALUES (${id}, 'nan', 'api_calls', ${at}, 'NaN'),
               (${id}, 'huge', 'api_calls', ${at}, 123456789012345678901234567890),
               (${id}, 'fine', 'api_calls', ${at}, 1)`
      const occurredAt = DateTime.makeUnsafe(at)
      for (const key of ["nan", "huge"]) {
        const error = yield* Effect.flip(
          tenancy.runAs(id, repo.recordAll([Fixtures.usageEvent(id, key, "1", occurredAt)]))
        )
        assert.strictEqual(error._tag, "UsageEventConflict", key)
      }
      const fine = yield* tenancy.runAs(
        id,
        repo.recordAll([Fixtures.usageEvent(id, "fine", "1.000", occurredAt)])
      )
      assert.deepStrictEqual(fine, { recorded: 0, duplicates: 1 })
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a different event under a used id is a UsageEventConflict and changes nothing", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const id = yield* onboard()
      yield* tenancy.runAs(id, repo.record(Fixtures.usageEvent(id, "evt-1", "10")))
      const error = yield* Effect.flip(tenancy.runAs(id, repo.record(Fixtures.usageEvent(id, "evt-1", "11"))))
      assert.strictEqual(error._tag, "UsageEventConflict")
      const period = Schema.decodeSync(Period.Period)("2026-10")
      const [stored] = yield* tenancy.runAs(id, repo.listForPeriod(id, period))
      assert.deepStrictEqual(encodeEvent(stored!), encodeEvent(Fixtures.usageEvent(id, "evt-1", "10")))
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("the idempotency key is per customer: two customers may use the same event id", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const ra = yield* tenancy.runAs(a, repo.record(Fixtures.usageEvent(a, "shared-id")))
      const rb = yield* tenancy.runAs(b, repo.record(Fixtures.usageEvent(b, "shared-id")))
      assert.deepStrictEqual([ra, rb], ["recorded", "recorded"])
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("recording an event for another customer is TenantAccessDenied", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const error = yield* Effect.flip(tenancy.runAs(a, repo.record(Fixtures.usageEvent(b, "evt-x"))))
      assert.strictEqual(error._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("listForPeriod keeps the half-open month and exact quantities", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* UsageEventRepo.UsageEventRepo
      const id = yield* onboard()
      const first = DateTime.makeUnsafe("2026-10-01T00:00:00.000Z")
      const last = DateTime.makeUnsafe("2026-10-31T23:59:59.999Z")
      const next = DateTime.makeUnsafe("2026-11-01T00:00:00.000Z")
      const events = [
        // The smallest and the most precise quantities an event may carry (Usage.Quantity).
        Fixtures.usageEvent(id, "e-first", "0.000001", first),
        Fixtures.usageEvent(id, "e-last", "999999999.999999", last),
        Fixtures.usageEvent(id, "e-next", "1", next)
      ]
      yield* tenancy.runAs(id, Effect.forEach(events, repo.record))
      const listed = yield* tenancy.runAs(
        id,
        repo.listForPeriod(id, Schema.decodeSync(Period.Period)("2026-10"))
      )
      // Compared encoded: BigDecimal keeps a lazily normalised cache that deep equality would see.
      assert.deepStrictEqual(
        listed.map((e) => encodeEvent(e)),
        events.slice(0, 2).map((e) => encodeEvent(e))
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})

suite("InvoiceRepo", (it) => {
  it.effect("stores an invoice with its lines and reads back exactly the same invoice", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* InvoiceRepo.InvoiceRepo
      const id = yield* onboard()
      const invoice = yield* Fixtures.draftInvoice(id)
      assert.isAbove(invoice.lines.length, 1)
      yield* tenancy.runAs(id, repo.insert(invoice))
      const found = yield* tenancy.runAs(id, repo.findById(invoice.id))
      assert.deepStrictEqual(encodeInvoice(found), encodeInvoice(invoice))
      assert.deepStrictEqual(Invoice.reconciliationErrors(found), [])
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "a second invoice for the same customer and period is AlreadyExists, and nothing of it is kept",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const repo = yield* InvoiceRepo.InvoiceRepo
        const id = yield* onboard()
        yield* tenancy.runAs(id, repo.insert(yield* Fixtures.draftInvoice(id)))
        const second = yield* Fixtures.draftInvoice(id)
        const error = yield* Effect.flip(tenancy.runAs(id, repo.insert(second)))
        assert.strictEqual(error._tag, "AlreadyExists")
        assert.strictEqual((yield* Effect.flip(tenancy.runAs(id, repo.findById(second.id))))._tag, "NotFound")
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("an invoice for another customer is TenantAccessDenied; another's invoice is NotFound", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* InvoiceRepo.InvoiceRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const ofB = yield* Fixtures.draftInvoice(b)
      const denied = yield* Effect.flip(tenancy.runAs(a, repo.insert(ofB)))
      assert.strictEqual(denied._tag, "TenantAccessDenied")
      yield* tenancy.runAs(b, repo.insert(ofB))
      const hidden = yield* Effect.flip(tenancy.runAs(a, repo.findById(ofB.id)))
      assert.strictEqual(hidden._tag, "NotFound")
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.listByCustomer(b)), [])
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("the database refuses an invoice that does not reconcile", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* InvoiceRepo.InvoiceRepo
      const id = yield* onboard()
      const draft = yield* Fixtures.draftInvoice(id)
      const broken: Invoice.Invoice = { ...draft, total: draft.total + 1n }
      const error = yield* Effect.flip(tenancy.runAs(id, repo.insert(broken)))
      assert.strictEqual(error._tag, "PersistenceFailure")
      assert.strictEqual((error as { kind?: string }).kind, "ConstraintError")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "updateLifecycle stores an issue; a taken number is AlreadyExists; another's invoice NotFound",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const repo = yield* InvoiceRepo.InvoiceRepo
        const a = yield* onboard()
        const b = yield* onboard()
        const draftA = yield* Fixtures.draftInvoice(a)
        const draftB = yield* Fixtures.draftInvoice(b)
        yield* tenancy.runAs(a, repo.insert(draftA))
        yield* tenancy.runAs(b, repo.insert(draftB))
        const number = Invoice.formatNumber(2026, Math.floor(Math.random() * 1e9))
        const issuedA = yield* InvoiceLifecycle.issue(draftA, { number, at: Fixtures.at })
        yield* tenancy.runAs(a, repo.updateLifecycle(issuedA))
        assert.deepStrictEqual(
          encodeInvoice(yield* tenancy.runAs(a, repo.findById(draftA.id))),
          encodeInvoice(issuedA)
        )
        const issuedB = yield* InvoiceLifecycle.issue(draftB, { number, at: Fixtures.at })
        const taken = yield* Effect.flip(tenancy.runAs(b, repo.updateLifecycle(issuedB)))
        assert.strictEqual(taken._tag, "AlreadyExists")
        const foreign = yield* Effect.flip(tenancy.runAs(a, repo.updateLifecycle(issuedB)))
        assert.strictEqual(foreign._tag, "NotFound")
        assert.strictEqual((yield* tenancy.runAs(b, repo.findById(draftB.id))).status, "draft")
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("listByCustomer is newest period first; the worker reads every customer's invoices", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* InvoiceRepo.InvoiceRepo
      const a = yield* onboard()
      const b = yield* onboard()
      const september = yield* Fixtures.draftInvoice(a, "2026-09")
      const october = yield* Fixtures.draftInvoice(a, "2026-10")
      const ofB = yield* Fixtures.draftInvoice(b)
      yield* tenancy.runAs(a, Effect.all([repo.insert(september), repo.insert(october)]))
      yield* tenancy.runAs(b, repo.insert(ofB))
      const listed = yield* tenancy.runAs(a, repo.listByCustomer(a))
      assert.deepStrictEqual(
        listed.map((i) => encodeInvoice(i)),
        [october, september].map((i) => encodeInvoice(i))
      )
      const [ofA, fromB] = yield* tenancy.runAsWorker(
        Effect.all([repo.listByCustomer(a), repo.listByCustomer(b)])
      )
      assert.deepStrictEqual([ofA!.length, fromB!.length], [2, 1])
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
