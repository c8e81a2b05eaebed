/**
 * Plans are data, end to end over loopback: a deployment whose price book adds a plan (an edit to
 * the book, nothing else) serves a customer on it with that plan's entitlements (its API key
 * limit, its compliance frameworks, its support response target); a customer whose plan is not in
 * the book gets a typed 403 PRICING.UNKNOWN_PLAN, never a 500.
 */
import { assert, layer } from "@effect/vitest"
import {
  Authenticator,
  Customer,
  CustomerRepo,
  Decimal,
  type Ids,
  Operators,
  PriceBook,
  Pricing,
  Tenancy
} from "@securebase/core"
import { Context, DateTime, Duration, Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const card = PriceBook.referenceCard
const scaleUp: PriceBook.CatalogPlan = {
  name: "Scale-up",
  entitlements: {
    ...card.plans.standard.entitlements,
    maxApiKeys: 2,
    complianceFrameworks: ["SOC2"],
    criticalResponseHours: 3
  },
  charges: [{ _tag: "Flat", code: "platform", description: "Scale-up plan", amount: Decimal.unsafe("750") }]
}
const policy = Pricing.withPriceBook(Pricing.referenceCard, PriceBook.withPlan(card, "scale-up", scaleUp))

/** A customer on `plan` with one key holding `scopes`, made through the server's own services. */
const onPlan = (plan: string) =>
  Effect.gen(function* () {
    const { services } = yield* TestServer
    return yield* Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const customer = new Customer.Customer({
        id: globalThis.crypto.randomUUID() as Ids.CustomerId,
        name: `On ${plan}`,
        email: "plans@example.com",
        plan,
        status: "active",
        taxProfile: {},
        netDays: 30
      })
      yield* tenancy.runAs(
        customer.id,
        CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
      )
      const created = yield* Authenticator.Authenticator.use((a) =>
        a.createKey({
          customerId: customer.id,
          name: "plans test",
          scopes: ["api_keys:read", "api_keys:write", "compliance:read", "support:write"]
        })
      )
      return { customer, key: Redacted.value(created.plaintext) }
    }).pipe(Effect.provide(services), Effect.orDie)
  })

layer(TestServer.layer({}, { policy }), { timeout: 120_000, excludeTestServices: true })(
  "plans from the price book",
  (it) => {
    it.effect(
      "a plan that exists only in this deployment's book: its name on the account, its entitlements enforced",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const { key } = yield* onPlan("scale-up")
          const account = yield* call(url, "GET", "/account", { token: key })
          assert.deepStrictEqual([account.status, account.body.plan], [200, "scale-up"])

          const compliance = yield* call(url, "GET", "/compliance/status", { token: key })
          assert.deepStrictEqual(
            [
              compliance.status,
              compliance.body.plan,
              compliance.body.frameworks.map((f: any) => f.framework)
            ],
            [200, "scale-up", ["SOC2"]]
          )

          const ticket = yield* call(url, "POST", "/support/tickets/create", {
            token: key,
            json: { subject: "Help", description: "Outage", priority: "critical" }
          })
          assert.strictEqual(ticket.status, 201, JSON.stringify(ticket.body))
          const due =
            DateTime.toEpochMillis(DateTime.makeUnsafe(ticket.body.firstResponseDueAt)) -
            DateTime.toEpochMillis(DateTime.makeUnsafe(ticket.body.createdAt))
          assert.strictEqual(due, Duration.toMillis(Duration.hours(3)))

          // Its key limit is 2: one key exists, one more is fine, a third is refused.
          const second = yield* call(url, "POST", "/api-keys/create", {
            token: key,
            json: { name: "second", scopes: ["api_keys:read"] }
          })
          assert.strictEqual(second.status, 201, JSON.stringify(second.body))
          const third = yield* call(url, "POST", "/api-keys/create", {
            token: key,
            json: { name: "third", scopes: ["api_keys:read"] }
          })
          assert.deepStrictEqual(
            [third.status, third.body.code, third.body.message],
            [422, "API_KEY.LIMIT_REACHED", "the scale-up plan allows 2 active API keys; revoke one first"]
          )
        })
    )

    it.effect("a customer whose plan is not in the book: 403 PRICING.UNKNOWN_PLAN on every request", () =>
      Effect.gen(function* () {
        const { url, services } = yield* TestServer
        const { customer, key } = yield* onPlan("standard")
        // The plan is withdrawn from under the customer (before its key was ever used, so no cache
        // holds the old plan).
        yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* Tenancy.Tenancy.use((t) =>
            t.runAs(customer.id, sql`UPDATE customers SET plan = 'retired-2025' WHERE id = ${customer.id}`)
          )
        }).pipe(Effect.provide(services), Effect.orDie)
        for (const path of ["/account", "/compliance/status", "/api-keys"]) {
          const r = yield* call(url, "GET", path, { token: key })
          assert.deepStrictEqual(
            [r.status, r.body.code, r.body.message],
            [
              403,
              "PRICING.UNKNOWN_PLAN",
              "the account's plan retired-2025 is not in the price book; an operator must move it to a plan that is"
            ],
            path
          )
        }

        // The operator side: the upcoming invoice is the same typed 403; moving the customer off the
        // retired plan from next month works (no proration needs its price), at once it cannot (the
        // retired plan has no fee to credit), and a code no book has is a 400 on field plan.
        const op = yield* Effect.orDie(
          Context.get(services, Operators.Operators).create({
            name: "plans ops",
            scopes: ["customers:read", "customers:write", "invoices:read"]
          })
        )
        const opKey = Redacted.value(op.plaintext)
        const upcoming = yield* call(url, "GET", `/admin/customers/${customer.id}/invoices/upcoming`, {
          token: opKey
        })
        assert.deepStrictEqual([upcoming.status, upcoming.body.code], [403, "PRICING.UNKNOWN_PLAN"])
        const change = (plan: string, effective: string) =>
          call(url, "POST", `/admin/customers/${customer.id}/plan`, {
            token: opKey,
            json: { plan, effective }
          })
        const nowhere = yield* change("platinum", "next_period")
        assert.deepStrictEqual(
          [nowhere.status, nowhere.body.code, nowhere.body.field],
          [400, "PRICING.UNKNOWN_PLAN", "plan"]
        )
        const atOnce = yield* change("scale-up", "immediately")
        assert.deepStrictEqual(
          [atOnce.status, atOnce.body.code, atOnce.body.field],
          [400, "PRICING.UNKNOWN_PLAN", "plan"]
        )
        assert.match(atOnce.body.message, /retired-2025/)
        const rescued = yield* change("scale-up", "next_period")
        assert.strictEqual(rescued.status, 200, JSON.stringify(rescued.body))
        assert.deepStrictEqual(
          rescued.body.customer.planChanges.map((c: { from: string; to: string }) => [c.from, c.to]),
          [["retired-2025", "scale-up"]]
        )
      })
    )
  }
)
