/**
 * The audit trail seen from the API: authentication attempts and key changes land in the
 * customer's hash-chained log (the reason, never the secret), and the chain still verifies.
 */
import { assert, layer } from "@effect/vitest"
import { AuditLog, type Ids } from "@securebase/core"
import { Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

layer(TestServer.layer(), { timeout: 60_000, excludeTestServices: true })("audit over the API", (it) => {
  it.effect("auth successes and failures, key creation and revocation are audited; no secret is", () =>
    TestServer.use(({ url, tenants, services }) =>
      Effect.gen(function* () {
        const admin = tenants[1]!.apiKey
        const customerId = tenants[1]!.customer.id as Ids.CustomerId
        const created = yield* call(url, "POST", "/api-keys/create", {
          token: admin,
          json: { name: "audited", scopes: ["invoices:read"] }
        })
        const secret: string = created.body.secret
        const keyId: string = created.body.apiKey.id
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: secret })).status, 200)
        yield* call(url, "DELETE", `/api-keys/${keyId}`, { token: admin })
        assert.strictEqual((yield* call(url, "GET", "/invoices", { token: secret })).status, 401)

        const events = yield* Effect.provide(
          AuditLog.AuditLog.use((log) => log.list(customerId)),
          services
        )
        const about = events.filter((e) => e.subjectId === keyId || (e.payload as any).keyId === keyId)
        const actions = about.map((e) => e.action)
        assert.includeMembers(actions, [
          "api_key.created",
          "auth.succeeded",
          "api_key.revoked",
          "auth.failed"
        ])
        const failed = about.find((e) => e.action === "auth.failed")!
        assert.strictEqual((failed.payload as any).code, "AUTH.KEY_REVOKED")
        assert.strictEqual((failed.payload as any).client, "127.0.0.1")
        const everything = JSON.stringify(events)
        assert.notInclude(everything, secret.split("_")[3]!, "the secret never reaches the audit trail")
        const verification = yield* Effect.provide(
          AuditLog.AuditLog.use((log) => log.verify(customerId)),
          services
        )
        assert.strictEqual(verification._tag, "ChainIntact")
      })
    )
  )
})
