/**
 * `/admin/customers` over loopback, on the real app (embedded PGlite): an operator creates a
 * customer (its first key works at once), finds, searches and pages through customers, changes
 * billing details, and suspends, reactivates and closes one. Every change is in the customer's own
 * audit chain with the operator as the actor, and the chain verifies. Suspending or closing stops
 * the customer's key and session on the very next request. Tenant keys are refused (403), bad
 * input is 400, a missing scope 403, an unknown customer 404, an impossible status move 409.
 */
import { assert, layer } from "@effect/vitest"
import { AuditLog, Tenancy } from "@securebase/core"
import { Context, Effect } from "effect"
import { call, operatorKey as newOperator, TestServer } from "../support/TestServer.ts"

const operatorKey = (scopes: ReadonlyArray<string>) => newOperator(scopes, "customer ops")

const newCustomer = {
  name: "Zeta Analytics GmbH",
  email: "billing@zeta.example",
  plan: "fintech",
  currency: "EUR",
  netDays: 14,
  billingAddress: { line1: "Unter den Linden 1", city: "Berlin", postalCode: "10117", country: "DE" },
  taxId: "DE123456789"
}

layer(TestServer.layer(), { timeout: 180_000, excludeTestServices: true })("/admin/customers", (it) => {
  it.effect("creates a customer whose first key works at once; the creation is audited as the operator", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const op = yield* operatorKey(["customers:read", "customers:write"])
      const r = yield* call(url, "POST", "/admin/customers", { token: op.key, json: newCustomer })
      assert.strictEqual(r.status, 201, JSON.stringify(r.body))
      const { customer, apiKey, secret } = r.body
      assert.deepInclude(customer, {
        name: "Zeta Analytics GmbH",
        email: "billing@zeta.example",
        plan: "fintech",
        status: "active",
        currency: "EUR",
        netDays: 14,
        billingAddress: newCustomer.billingAddress,
        taxId: "DE123456789",
        closedAt: null
      })
      assert.match(secret, /^sb_live_[a-z2-7]{16}_[a-z2-7]{52}$/)
      assert.strictEqual(apiKey.id, secret.split("_")[2])
      assert.notProperty(apiKey, "secretHash")

      const account = yield* call(url, "GET", "/account", { token: secret })
      assert.strictEqual(account.status, 200)
      assert.strictEqual(account.body.customerId, customer.id)

      const events = yield* call(url, "GET", "/audit/events", { token: secret })
      assert.strictEqual(events.status, 200)
      const byAction = new Map(events.body.data.map((e: any) => [e.action, e]))
      const created: any = byAction.get("customer.created")
      assert.strictEqual(created.actor, `operator:${op.id}`)
      assert.strictEqual(created.payload.plan, "fintech")
      assert.strictEqual(created.payload.taxId, "DE123456789")
      assert.strictEqual((byAction.get("api_key.created") as any).actor, `operator:${op.id}`)
      const verified = yield* call(url, "GET", "/audit/checkpoint", { token: secret })
      assert.strictEqual(verified.status, 200)
      assert.strictEqual(verified.body.verification.status, "intact")

      const got = yield* call(url, "GET", `/admin/customers/${customer.id}`, { token: op.key })
      assert.strictEqual(got.status, 200)
      assert.deepStrictEqual(got.body, customer)
      assert.notInclude(JSON.stringify(got.body), apiKey.id, "the operator's view carries no key material")
    })
  )

  it.effect("searches by name or e-mail and pages with a keyset cursor", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const op = yield* operatorKey(["customers:read", "customers:write"])
      const tag = `pager-${globalThis.crypto.randomUUID().slice(0, 8)}`
      const ids: Array<string> = []
      for (const n of [1, 2, 3]) {
        const r = yield* call(url, "POST", "/admin/customers", {
          token: op.key,
          json: { name: `${tag} ${n}`, email: `${tag}-${n}@example.com`, plan: "standard" }
        })
        assert.strictEqual(r.status, 201)
        ids.push(r.body.customer.id)
      }
      const seen: Array<string> = []
      let cursor: string | null = null
      let pages = 0
      do {
        const r: any = yield* call(
          url,
          "GET",
          `/admin/customers?q=${tag}&limit=2${cursor === null ? "" : `&cursor=${cursor}`}`,
          { token: op.key }
        )
        assert.strictEqual(r.status, 200)
        seen.push(...r.body.customers.map((c: any) => c.id))
        cursor = r.body.nextCursor
        pages++
      } while (cursor !== null && pages < 5)
      assert.deepStrictEqual(seen, ids, "every match once, in creation order")
      assert.strictEqual(pages, 2)

      const byEmail = yield* call(url, "GET", `/admin/customers?q=${tag}-2@example`, { token: op.key })
      assert.deepStrictEqual(
        byEmail.body.customers.map((c: any) => c.id),
        [ids[1]]
      )
      const wildcard = yield* call(url, "GET", "/admin/customers?q=_", { token: op.key })
      assert.strictEqual(wildcard.status, 200)
      assert.strictEqual(wildcard.body.customers.length, 0, "_ is matched literally, not as a wildcard")
      assert.strictEqual((yield* call(url, "GET", "/admin/customers?q=%25", { token: op.key })).status, 400)

      const all = yield* call(url, "GET", "/admin/customers?limit=100", { token: op.key })
      assert.isAtLeast(all.body.customers.length, 4 + 3, "the demo tenants and ours")

      for (const bad of ["cursor=nope", "limit=0", "limit=101", "limit=x", "status=gone"]) {
        const r = yield* call(url, "GET", `/admin/customers?${bad}`, { token: op.key })
        assert.strictEqual(r.status, 400, bad)
      }
    })
  )

  it.effect("changes billing details in place, audited with the fields before and after", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const op = yield* operatorKey(["customers:read", "customers:write"])
      const created = yield* call(url, "POST", "/admin/customers", { token: op.key, json: newCustomer })
      const id = created.body.customer.id
      const r = yield* call(url, "PATCH", `/admin/customers/${id}`, {
        token: op.key,
        json: {
          email: "ap@zeta.example",
          taxId: null,
          billingAddress: { ...newCustomer.billingAddress, line2: "Hof 3" }
        }
      })
      assert.strictEqual(r.status, 200, JSON.stringify(r.body))
      assert.strictEqual(r.body.email, "ap@zeta.example")
      assert.strictEqual(r.body.taxId, null)
      assert.strictEqual(r.body.billingAddress.line2, "Hof 3")
      assert.strictEqual(r.body.name, newCustomer.name, "what the patch does not name is unchanged")

      const events = yield* call(url, "GET", "/audit/events", { token: created.body.secret })
      const updated = events.body.data.find((e: any) => e.action === "customer.updated")
      assert.strictEqual(updated.actor, `operator:${op.id}`)
      assert.deepStrictEqual(updated.payload.before, {
        email: "billing@zeta.example",
        billingAddress: newCustomer.billingAddress,
        taxId: "DE123456789"
      })
      assert.deepStrictEqual(updated.payload.after, {
        email: "ap@zeta.example",
        billingAddress: { ...newCustomer.billingAddress, line2: "Hof 3" },
        taxId: null
      })
    })
  )

  it.effect(
    "suspend stops the key and ends the sessions at once; reactivate restores the key; close is for good",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const op = yield* operatorKey(["customers:read", "customers:write"])
        const created = yield* call(url, "POST", "/admin/customers", { token: op.key, json: newCustomer })
        const { id } = created.body.customer
        const key = created.body.secret
        const session = (yield* call(url, "POST", "/auth/authenticate", { token: key })).body.token
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: key })).status, 200)
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: session })).status, 200)

        const suspended = yield* call(url, "POST", `/admin/customers/${id}/suspend`, {
          token: op.key,
          json: { reason: "card declined" }
        })
        assert.strictEqual(suspended.status, 200)
        assert.strictEqual(suspended.body.status, "suspended")
        const byKey = yield* call(url, "GET", "/invoices", { token: key })
        assert.strictEqual(byKey.status, 401)
        assert.strictEqual(byKey.body.code, "AUTH.CUSTOMER_INACTIVE")
        // Suspension ends the customer's sessions for good (Authenticator.cutOffCustomer).
        const bySession = yield* call(url, "GET", "/invoices", { token: session })
        assert.strictEqual(bySession.status, 401)
        assert.strictEqual(bySession.body.code, "AUTH.SESSION_REVOKED")
        const twice = yield* call(url, "POST", `/admin/customers/${id}/suspend`, { token: op.key, json: {} })
        assert.strictEqual(twice.status, 409)
        assert.strictEqual(twice.body.code, "CUSTOMER.STATUS_CONFLICT")

        const reactivated = yield* call(url, "POST", `/admin/customers/${id}/reactivate`, {
          token: op.key,
          json: {}
        })
        assert.strictEqual(reactivated.body.status, "active")
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: key })).status, 200)
        assert.strictEqual(
          (yield* call(url, "GET", "/invoices", { token: session })).status,
          401,
          "sessions stay ended"
        )

        const closed = yield* call(url, "POST", `/admin/customers/${id}/close`, {
          token: op.key,
          json: { reason: "left" }
        })
        assert.strictEqual(closed.status, 200)
        assert.strictEqual(closed.body.status, "closed")
        assert.isNotNull(closed.body.closedAt)
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: key })).status, 401)
        for (const move of ["reactivate", "suspend", "close"]) {
          const r = yield* call(url, "POST", `/admin/customers/${id}/${move}`, { token: op.key, json: {} })
          assert.strictEqual(r.status, 409, move)
        }

        // The chain records every move as the operator, with its reason, and still verifies.
        const chain = yield* Effect.orDie(
          Effect.gen(function* () {
            const { services } = yield* TestServer
            const tenancy = Context.get(services, Tenancy.Tenancy)
            const log = Context.get(services, AuditLog.AuditLog)
            return yield* tenancy.runAs(
              id,
              Effect.all({ events: log.list(id), verification: log.verify(id) })
            )
          })
        )
        const moves = chain.events
          .filter((e: any) => e.action.startsWith("customer.") && e.action !== "customer.created")
          .map((e: any) => [e.action, e.actor, e.payload.reason])
        assert.deepStrictEqual(moves, [
          ["customer.suspended", `operator:${op.id}`, "card declined"],
          ["customer.reactivated", `operator:${op.id}`, null],
          ["customer.closed", `operator:${op.id}`, "left"]
        ])
        assert.strictEqual(chain.verification._tag, "ChainIntact")
      })
  )

  it.effect(
    "changes the plan at once (with its proration) or from next month, audited; bad requests are 4xx",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const op = yield* operatorKey(["customers:read", "customers:write"])
        const created = yield* call(url, "POST", "/admin/customers", {
          token: op.key,
          json: { ...newCustomer, plan: "standard", currency: "USD" }
        })
        const id = created.body.customer.id
        const now = yield* call(url, "POST", `/admin/customers/${id}/plan`, {
          token: op.key,
          json: { plan: "fintech", effective: "immediately" }
        })
        assert.strictEqual(now.status, 200, JSON.stringify(now.body))
        assert.strictEqual(now.body.customer.plan, "fintech")
        const p = now.body.proration
        assert.strictEqual(p.currency, "USD")
        assert.isAtLeast(p.daysUsed + p.daysRemaining, 28)
        assert.isAtLeast(Number(p.charge), Number(p.credit), "fintech costs more than standard")
        const account = yield* call(url, "GET", "/account", { token: created.body.secret })
        assert.strictEqual(account.body.plan, "fintech", "the tenant sees its new plan at once")

        const later = yield* call(url, "POST", `/admin/customers/${id}/plan`, {
          token: op.key,
          json: { plan: "healthcare", effective: "next_period" }
        })
        assert.strictEqual(later.status, 200)
        assert.strictEqual(later.body.customer.plan, "fintech", "still fintech until next month")
        assert.strictEqual(later.body.proration, null)
        assert.match(later.body.effectiveAt, /-01T00:00:00(\.000)?Z$/)
        assert.deepStrictEqual(
          later.body.customer.planChanges.map((c: any) => [c.from, c.to]),
          [
            ["standard", "fintech"],
            ["fintech", "healthcare"]
          ]
        )

        const events = yield* call(url, "GET", "/audit/events", { token: created.body.secret })
        const changes = events.body.data.filter((e: any) => e.action === "customer.plan_changed")
        assert.strictEqual(changes.length, 2)
        for (const e of changes) assert.strictEqual(e.actor, `operator:${op.id}`)

        const bad: ReadonlyArray<unknown> = [
          { plan: "platinum", effective: "immediately" },
          { plan: "Not A Code!", effective: "next_period" },
          { plan: "fintech", effective: "yesterday" },
          { plan: "fintech" },
          {}
        ]
        for (const json of bad) {
          const r = yield* call(url, "POST", `/admin/customers/${id}/plan`, { token: op.key, json })
          assert.strictEqual(r.status, 400, JSON.stringify(json))
        }
        // A well-formed code that no book has is refused by the core, before anything is written.
        for (const effective of ["immediately", "next_period"]) {
          const unknown = yield* call(url, "POST", `/admin/customers/${id}/plan`, {
            token: op.key,
            json: { plan: "platinum", effective }
          })
          assert.strictEqual(unknown.body.code, "PRICING.UNKNOWN_PLAN", effective)
          assert.strictEqual(unknown.body.field, "plan", effective)
        }
        const unchanged = yield* call(url, "GET", `/admin/customers/${id}`, { token: op.key })
        assert.strictEqual(unchanged.body.planChanges.length, 2, "the refused changes wrote nothing")
        const missing = yield* call(url, "POST", `/admin/customers/${globalThis.crypto.randomUUID()}/plan`, {
          token: op.key,
          json: { plan: "fintech", effective: "immediately" }
        })
        assert.strictEqual(missing.status, 404)
        // Fintech again: it drops the scheduled healthcare (a change); then fintech is no change.
        const again = yield* call(url, "POST", `/admin/customers/${id}/plan`, {
          token: op.key,
          json: { plan: "fintech", effective: "immediately" }
        })
        assert.strictEqual(again.status, 200)
        const same = yield* call(url, "POST", `/admin/customers/${id}/plan`, {
          token: op.key,
          json: { plan: "fintech", effective: "immediately" }
        })
        assert.strictEqual(same.status, 409)
        assert.strictEqual(same.body.code, "PLAN.UNCHANGED")
      })
  )

  it.effect(
    "the upcoming invoice: the current month priced as the run would now, for the tenant and its operator; nothing stored",
    () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const tenant = tenants[1]!
        const op = yield* operatorKey(["customers:read", "invoices:read"])
        const before = yield* call(url, "GET", "/invoices?limit=100", { token: tenant.apiKey })
        const mine = yield* call(url, "GET", "/invoices/upcoming", { token: tenant.apiKey })
        assert.strictEqual(mine.status, 200, JSON.stringify(mine.body))
        assert.strictEqual(mine.body.status, "draft")
        assert.strictEqual(mine.body.number, null)
        assert.strictEqual(mine.body.customerId, tenant.customer.id)
        const month = new Date().toISOString().slice(0, 7)
        assert.strictEqual(mine.body.period, month)
        assert.strictEqual(BigInt(mine.body.total), BigInt(mine.body.taxable) + BigInt(mine.body.tax))
        assert.isAbove(mine.body.lines.length, 0)

        const theirs = yield* call(url, "GET", `/admin/customers/${tenant.customer.id}/invoices/upcoming`, {
          token: op.key
        })
        assert.strictEqual(theirs.status, 200)
        const same = (i: any) => ({
          lines: i.lines,
          subtotal: i.subtotal,
          tax: i.tax,
          total: i.total,
          period: i.period
        })
        assert.deepStrictEqual(same(theirs.body), same(mine.body), "one function, one answer")

        const after = yield* call(url, "GET", "/invoices?limit=100", { token: tenant.apiKey })
        assert.deepStrictEqual(after.body, before.body, "nothing was stored")
        const noScope = yield* operatorKey(["customers:read"])
        const refused = yield* call(url, "GET", `/admin/customers/${tenant.customer.id}/invoices/upcoming`, {
          token: noScope.key
        })
        assert.strictEqual(refused.status, 403)
        const missing = yield* call(
          url,
          "GET",
          `/admin/customers/${globalThis.crypto.randomUUID()}/invoices/upcoming`,
          {
            token: op.key
          }
        )
        assert.strictEqual(missing.status, 404)
      })
  )

  it.effect(
    "refuses tenant keys (403), missing scopes (403), unknown customers (404) and bad input (400)",
    () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const reader = yield* operatorKey(["customers:read"])
        const writer = yield* operatorKey(["customers:write", "customers:read"])
        const tenant = tenants[0]!
        const asTenant = yield* call(url, "GET", `/admin/customers/${tenant.customer.id}`, {
          token: tenant.apiKey
        })
        assert.strictEqual(asTenant.status, 403)
        const noScope = yield* call(url, "POST", "/admin/customers", { token: reader.key, json: newCustomer })
        assert.strictEqual(noScope.status, 403)
        assert.strictEqual(noScope.body.code, "AUTH.SCOPE_MISSING")
        const missing = yield* call(url, "GET", `/admin/customers/${globalThis.crypto.randomUUID()}`, {
          token: writer.key
        })
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.body.code, "CUSTOMER.NOT_FOUND")
        const missingMove = yield* call(
          url,
          "POST",
          `/admin/customers/${globalThis.crypto.randomUUID()}/suspend`,
          {
            token: writer.key,
            json: {}
          }
        )
        assert.strictEqual(missingMove.status, 404)

        const bad: ReadonlyArray<[string, unknown]> = [
          ["email", { ...newCustomer, email: "not an address" }],
          ["plan", { ...newCustomer, plan: "platinum" }],
          ["netDays", { ...newCustomer, netDays: 400 }],
          ["currency", { ...newCustomer, currency: "XXX" }],
          [
            "billingAddress",
            { ...newCustomer, billingAddress: { ...newCustomer.billingAddress, country: "de" } }
          ],
          ["billingAddress", { ...newCustomer, billingAddress: { city: "Berlin", country: "DE" } }],
          ["name", { ...newCustomer, name: "two\nlines" }],
          ["name", { ...newCustomer, name: "" }],
          ["taxId", { ...newCustomer, taxId: "x".repeat(65) }],
          ["name", { ...newCustomer, name: "nul\u0000" }]
        ]
        for (const [field, json] of bad) {
          const r = yield* call(url, "POST", "/admin/customers", { token: writer.key, json })
          assert.strictEqual(r.status, 400, `${field}: ${JSON.stringify(r.body)}`)
        }
        const notJson = yield* call(url, "POST", "/admin/customers", {
          token: writer.key,
          body: "{",
          headers: { "content-type": "application/json" }
        })
        assert.strictEqual(notJson.status, 400)
        const badId = yield* call(url, "GET", "/admin/customers/not-a-uuid", { token: writer.key })
        assert.strictEqual(badId.status, 400)
        const badPatch = yield* call(url, "PATCH", `/admin/customers/${tenant.customer.id}`, {
          token: writer.key,
          json: { netDays: -1 }
        })
        assert.strictEqual(badPatch.status, 400)
        const badReason = yield* call(url, "POST", `/admin/customers/${tenant.customer.id}/suspend`, {
          token: writer.key,
          json: { reason: "a\nb" }
        })
        assert.strictEqual(badReason.status, 400)
      })
  )
})
