/**
 * The `/admin` door over loopback: operator keys (`sb_op_…`) only. No credential is 401 with the
 * bearer challenge, a tenant's API key or session 403, a bad or revoked operator key 401; an
 * operator key opens nothing on the tenant side (401). The OpenAPI document shows the group
 * under its own `operator` scheme.
 */
import { assert, layer } from "@effect/vitest"
import { Operators } from "@securebase/core"
import { Context, Effect, Redacted } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

const newOperator = (scopes: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { services } = yield* TestServer
    const operators = Context.get(services, Operators.Operators)
    const created = yield* Effect.orDie(operators.create({ name: "test operator", scopes }))
    return { id: created.operator.id, key: Redacted.value(created.plaintext), operators }
  })

layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })("/admin authentication", (it) => {
  it.effect("an operator key answers who it is, with the actor its actions are audited as", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const op = yield* newOperator(["customers:read", "customers:write"])
      const r = yield* call(url, "GET", "/admin/operator", { token: op.key })
      assert.strictEqual(r.status, 200)
      assert.deepStrictEqual(r.body, {
        operatorId: op.id,
        name: "test operator",
        scopes: ["customers:read", "customers:write"],
        actor: `operator:${op.id}`
      })
    })
  )

  it.effect("no credential: 401 with the bearer challenge", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const r = yield* call(url, "GET", "/admin/operator")
      assert.strictEqual(r.status, 401)
      assert.strictEqual(r.body.code, "AUTH.OPERATOR_KEY_REQUIRED")
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer /)
    })
  )

  it.effect("a tenant's API key or session is 403, valid or not", () =>
    Effect.gen(function* () {
      const { url, tenants } = yield* TestServer
      const tenantKey = tenants[3]!.apiKey
      const r = yield* call(url, "GET", "/admin/operator", { token: tenantKey })
      assert.strictEqual(r.status, 403)
      assert.strictEqual(r.body.code, "AUTH.OPERATOR_REQUIRED")
      const session = yield* call(url, "POST", "/auth/authenticate", { token: tenantKey })
      assert.strictEqual(session.status, 200)
      const bySession = yield* call(url, "GET", "/admin/operator", { token: session.body.token })
      assert.strictEqual(bySession.status, 403)
      const forged = yield* call(url, "GET", "/admin/operator", {
        token: `sb_live_${"a".repeat(16)}_${"b".repeat(52)}`
      })
      assert.strictEqual(forged.status, 403)
    })
  )

  it.effect("a malformed, unknown or revoked operator key is 401; revocation takes effect at once", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      for (const token of ["sb_op_short", `sb_op_${"a".repeat(16)}_${"b".repeat(52)}`, "garbage"]) {
        const r = yield* call(url, "GET", "/admin/operator", { token })
        assert.strictEqual(r.status, 401, token)
        assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer /)
      }
      const op = yield* newOperator(["customers:read"])
      assert.strictEqual((yield* call(url, "GET", "/admin/operator", { token: op.key })).status, 200)
      yield* Effect.orDie(op.operators.revoke(op.id))
      const after = yield* call(url, "GET", "/admin/operator", { token: op.key })
      assert.strictEqual(after.status, 401)
      assert.strictEqual(after.body.code, "AUTH.KEY_REVOKED")
    })
  )

  it.effect("an operator key opens nothing on the tenant side", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const op = yield* newOperator(["customers:read", "customers:write", "invoices:read", "invoices:write"])
      for (const path of ["/account", "/invoices", "/api-keys", "/audit/events"]) {
        const r = yield* call(url, "GET", path, { token: op.key })
        assert.strictEqual(r.status, 401, path)
      }
    })
  )

  it.effect("OpenAPI shows /admin under the operator scheme", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const spec = (yield* call(url, "GET", "/openapi.json")).body
      assert.strictEqual(spec.components.securitySchemes.operator.scheme, "bearer")
      assert.deepStrictEqual(spec.paths["/admin/operator"].get.security, [{ operator: [] }])
    })
  )
})

// Operator keys had no failure throttle: any client could try keys at full speed.
layer(TestServer.layer({ AUTH_FREE_FAILURES: "0", AUTH_MAX_FAILURES: "3" }), {
  timeout: 120_000,
  excludeTestServices: true
})("/admin failure throttle", (it) => {
  it.effect(
    "failed operator keys are counted per client: past the allowance the client gets 429 with Retry-After",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const op = yield* newOperator(["customers:read"])
        // A well-formed key: this operator's id with another operator's secret.
        const other = yield* newOperator(["customers:read"])
        const wrong = `sb_op_${op.id}_${other.key.slice(`sb_op_${other.id}_`.length)}`
        const first = yield* call(url, "GET", "/admin/operator", { token: wrong })
        assert.strictEqual(first.status, 401)
        assert.strictEqual(first.body.code, "AUTH.INVALID_KEY")
        // No free failures: the next attempt from this address waits (1 s, doubling).
        const second = yield* call(url, "GET", "/admin/operator", { token: wrong })
        assert.strictEqual(second.status, 429)
        assert.strictEqual(second.body.code, "AUTH.TOO_MANY_ATTEMPTS")
        assert.match(second.headers.get("retry-after") ?? "", /^[1-9]\d*$/)
        // The address waits whatever it presents, before the store is read.
        const valid = yield* call(url, "GET", "/admin/operator", { token: op.key })
        assert.strictEqual(valid.status, 429)
        // The wait ends: the valid key is served again.
        yield* Effect.sleep("2500 millis")
        assert.strictEqual((yield* call(url, "GET", "/admin/operator", { token: op.key })).status, 200)
      })
  )
})
