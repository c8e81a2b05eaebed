/** `GET /account` over loopback: the caller's own customer, its creation date, its credential's key and scopes. */
import { assert, layer } from "@effect/vitest"
import { Period } from "@securebase/core"
import { DateTime, Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

layer(TestServer.layer(), { timeout: 300_000, excludeTestServices: true })("GET /account", (it) => {
  it.effect("answers the caller's own customer, created at the start of its first demo month", () =>
    Effect.gen(function* () {
      const { url, tenants } = yield* TestServer
      for (const tenant of tenants) {
        const r = yield* call(url, "GET", "/account", { token: tenant.apiKey })
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.customerId, tenant.customer.id)
        assert.strictEqual(r.body.name, tenant.customer.name)
        assert.strictEqual(r.body.plan, tenant.customer.plan)
        assert.strictEqual(r.body.via, "api_key")
        assert.strictEqual(r.body.paymentsOnline, false, "manual payments by default")
        assert.strictEqual(r.body.keyId, tenant.apiKey.split("_")[2])
        assert.includeMembers(r.body.scopes, ["invoices:read", "api_keys:write"])
        const firstDemoMonth = Period.trailing(Period.previous(Period.ofDateTime(yield* DateTime.now)), 3)[0]!
        assert.strictEqual(r.body.createdAt, DateTime.formatIso(Period.start(firstDemoMonth)))
      }
    })
  )

  it.effect("without a credential it is 401 in the one error shape", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const r = yield* call(url, "GET", "/account")
      assert.strictEqual(r.status, 401)
      assert.match(r.body.code, /^AUTH\./)
    })
  )
})
