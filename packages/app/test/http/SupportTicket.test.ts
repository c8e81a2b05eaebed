/** `GET /support/tickets/{id}` over loopback: one's own ticket; another tenant's answers exactly as an unknown id. */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

layer(TestServer.layer(), { timeout: 300_000, excludeTestServices: true })(
  "GET /support/tickets/{id}",
  (it) => {
    it.effect("answers the tenant's own ticket as the list shows it", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const token = tenants[0]!.apiKey
        const list = yield* call(url, "GET", "/support/tickets", { token })
        const first = list.body[0]
        const r = yield* call(url, "GET", `/support/tickets/${first.id}`, { token })
        assert.strictEqual(r.status, 200)
        assert.deepStrictEqual(r.body, first)
      })
    )

    it.effect("another tenant's ticket is 404, byte for byte the answer to an unknown id", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const victim = (yield* call(url, "GET", "/support/tickets", { token: tenants[3]!.apiKey })).body[0].id
        const attacker = tenants[0]!.apiKey
        const theirs = yield* call(url, "GET", `/support/tickets/${victim}`, { token: attacker })
        const unknown = yield* call(url, "GET", "/support/tickets/00000000-0000-4000-8000-000000000000", {
          token: attacker
        })
        assert.strictEqual(theirs.status, 404)
        assert.strictEqual(theirs.body.code, "SUPPORT_TICKET.NOT_FOUND")
        assert.deepStrictEqual(theirs.bytes, unknown.bytes)
      })
    )

    it.effect("a malformed id is 400 naming the field; without support:read it is 403", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const bad = yield* call(url, "GET", "/support/tickets/not-a-uuid", { token: tenants[0]!.apiKey })
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.body.field, "id")
        const limited = yield* call(url, "POST", "/api-keys/create", {
          token: tenants[0]!.apiKey,
          json: { name: "invoices only", scopes: ["invoices:read"] }
        })
        const list = (yield* call(url, "GET", "/support/tickets", { token: tenants[0]!.apiKey })).body
        const r = yield* call(url, "GET", `/support/tickets/${list[0].id}`, { token: limited.body.secret })
        assert.strictEqual(r.status, 403)
        assert.strictEqual(r.body.code, "AUTH.SCOPE_MISSING")
      })
    )
  }
)
