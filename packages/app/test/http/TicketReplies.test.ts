/**
 * A support ticket's conversation over loopback: the customer reads its replies and replies (as the
 * request's principal, audited as support_ticket.replied); another tenant's ticket is 404 exactly
 * as an unknown id, for reading and for replying; a closed ticket refuses replies (409); a bad body
 * is 400; without support:write a reply is 403.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const firstTicket = (url: string, token: string) =>
  call(url, "GET", "/support/tickets", { token }).pipe(Effect.map((r) => r.body[0].id as string))

layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })("support ticket replies", (it) => {
  it.effect("a reply is stored with its author, listed oldest first, and audited", () =>
    Effect.gen(function* () {
      const { url, tenants } = yield* TestServer
      const token = tenants[0]!.apiKey
      const ticket = yield* firstTicket(url, token)
      const before = (yield* call(url, "GET", `/support/tickets/${ticket}/replies`, { token })).body
      assert.deepStrictEqual(before, [])
      const first = yield* call(url, "POST", `/support/tickets/${ticket}/replies`, {
        token,
        json: { body: "Any news?\nWe are blocked on this." }
      })
      assert.strictEqual(first.status, 201)
      assert.deepInclude(first.body, {
        ticketId: ticket,
        authorKind: "customer",
        author: `api_key:${token.split("_")[2]}`,
        body: "Any news?\nWe are blocked on this."
      })
      const second = yield* call(url, "POST", `/support/tickets/${ticket}/replies`, {
        token,
        json: { body: "Found a workaround." }
      })
      const listed = (yield* call(url, "GET", `/support/tickets/${ticket}/replies`, { token })).body
      assert.deepStrictEqual(
        listed.map((r: any) => r.id),
        [first.body.id, second.body.id]
      )
      const trail = (yield* call(url, "GET", "/audit/events?limit=20", { token })).body.data
      const audited = trail.filter((e: any) => e.action === "support_ticket.replied")
      assert.deepStrictEqual(
        audited.map((e: any) => [e.subjectId, e.payload.replyId, e.payload.authorKind]),
        [
          [ticket, second.body.id, "customer"],
          [ticket, first.body.id, "customer"]
        ]
      )
    })
  )

  it.effect(
    "another tenant's ticket is 404 for reading and replying, byte for byte an unknown id's; nothing is stored",
    () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const victimToken = tenants[3]!.apiKey
        const victim = yield* firstTicket(url, victimToken)
        const attacker = tenants[1]!.apiKey
        const unknownId = "00000000-0000-4000-8000-000000000000"
        const read = yield* call(url, "GET", `/support/tickets/${victim}/replies`, { token: attacker })
        const readUnknown = yield* call(url, "GET", `/support/tickets/${unknownId}/replies`, {
          token: attacker
        })
        assert.strictEqual(read.status, 404)
        assert.deepStrictEqual(read.bytes, readUnknown.bytes)
        const write = yield* call(url, "POST", `/support/tickets/${victim}/replies`, {
          token: attacker,
          json: { body: "pwned" }
        })
        const writeUnknown = yield* call(url, "POST", `/support/tickets/${unknownId}/replies`, {
          token: attacker,
          json: { body: "pwned" }
        })
        assert.strictEqual(write.status, 404)
        assert.strictEqual(write.body.code, "SUPPORT_TICKET.NOT_FOUND")
        assert.deepStrictEqual(write.bytes, writeUnknown.bytes)
        assert.deepStrictEqual(
          (yield* call(url, "GET", `/support/tickets/${victim}/replies`, { token: victimToken })).body,
          []
        )
      })
  )

  it.effect(
    "a closed ticket refuses replies (409); an empty or control-character body is 400; without support:write 403",
    () =>
      Effect.gen(function* () {
        const { url, tenants, services } = yield* TestServer
        const token = tenants[2]!.apiKey
        const created = yield* call(url, "POST", "/support/tickets/create", {
          token,
          json: { subject: "Old question", description: "Answered by phone.", priority: "low" }
        })
        const ticket = created.body.id as string
        for (const body of ["", "\u001b[2Jcleared", "x".repeat(20_001)]) {
          const bad = yield* call(url, "POST", `/support/tickets/${ticket}/replies`, {
            token,
            json: { body }
          })
          assert.strictEqual(bad.status, 400, JSON.stringify(body.slice(0, 20)))
          assert.strictEqual(bad.body.code, "REQUEST.INVALID")
        }
        const readOnly = yield* call(url, "POST", "/api-keys/create", {
          token,
          json: { name: "support reader", scopes: ["support:read"] }
        })
        const refused = yield* call(url, "POST", `/support/tickets/${ticket}/replies`, {
          token: readOnly.body.secret,
          json: { body: "hello" }
        })
        assert.strictEqual(refused.status, 403)
        assert.strictEqual(refused.body.code, "AUTH.SCOPE_MISSING")
        // An operator closes it (the operators' side is another area; here, plain SQL as the owner).
        yield* Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            yield* sql`UPDATE support_tickets SET status = 'closed' WHERE id = ${ticket}`
          }),
          services
        ).pipe(Effect.orDie)
        const closed = yield* call(url, "POST", `/support/tickets/${ticket}/replies`, {
          token,
          json: { body: "one more thing" }
        })
        assert.strictEqual(closed.status, 409)
        assert.strictEqual(closed.body.code, "SUPPORT_TICKET.CLOSED")
        assert.deepStrictEqual(
          (yield* call(url, "GET", `/support/tickets/${ticket}/replies`, { token })).body,
          []
        )
      })
  )
})
