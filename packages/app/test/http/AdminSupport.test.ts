/**
 * A support ticket's lifecycle from the operator's side, over loopback: the tenant opens it, the
 * operator's first reply is the first response (within the plan's target) and takes it in hand,
 * then resolved, closed, and nothing more; impossible moves are 409, another customer's ticket is
 * 404, tenant keys and missing scopes 403, bad bodies 400. Every step is in the customer's chain.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, operatorKey as newOperator, TestServer } from "../support/TestServer.ts"

const operatorKey = (scopes: ReadonlyArray<string>) => newOperator(scopes, "support")

const open = (url: string, token: string) =>
  Effect.map(
    call(url, "POST", "/support/tickets/create", {
      token,
      json: {
        subject: "Invoice PDF shows the wrong address",
        description: "Since October.",
        priority: "high"
      }
    }),
    (r) => {
      assert.strictEqual(r.status, 201, JSON.stringify(r.body))
      return r.body.id as string
    }
  )

layer(TestServer.layer(), { timeout: 180_000, excludeTestServices: true })("/admin support tickets", (it) => {
  it.effect("open → in progress (first operator reply) → resolved → closed, audited; closed is final", () =>
    Effect.gen(function* () {
      const { url, tenants } = yield* TestServer
      const tenant = tenants[2]!
      const op = yield* operatorKey(["support:read", "support:write"])
      const ticketId = yield* open(url, tenant.apiKey)
      const base = `/admin/customers/${tenant.customer.id}/support/tickets/${ticketId}`

      const fresh = yield* call(url, "GET", base, { token: op.key })
      assert.strictEqual(fresh.status, 200)
      assert.strictEqual(fresh.body.ticket.status, "open")
      assert.strictEqual(fresh.body.firstRespondedAt, null)
      assert.strictEqual(fresh.body.responseTargetMet, null)

      const replied = yield* call(url, "POST", `${base}/replies`, {
        token: op.key,
        json: { body: "Thanks, we are on it.\nThe address comes from your billing details." }
      })
      assert.strictEqual(replied.status, 200, JSON.stringify(replied.body))
      assert.strictEqual(replied.body.ticket.status, "in_progress")
      assert.isNotNull(replied.body.firstRespondedAt)
      assert.strictEqual(replied.body.responseTargetMet, true)
      assert.deepStrictEqual(
        replied.body.replies.map((r: any) => [r.authorKind, r.author]),
        [["operator", `operator:${op.id}`]]
      )

      const resolved = yield* call(url, "POST", `${base}/status`, {
        token: op.key,
        json: { status: "resolved" }
      })
      assert.strictEqual(resolved.body.ticket.status, "resolved")
      assert.isNotNull(resolved.body.resolvedAt)
      const closed = yield* call(url, "POST", `${base}/status`, { token: op.key, json: { status: "closed" } })
      assert.strictEqual(closed.body.ticket.status, "closed")
      assert.isNotNull(closed.body.closedAt)
      for (const status of ["in_progress", "resolved", "closed"]) {
        const r = yield* call(url, "POST", `${base}/status`, { token: op.key, json: { status } })
        assert.strictEqual(r.status, 409, status)
        assert.strictEqual(r.body.code, "SUPPORT.TICKET_MOVE_REFUSED")
      }
      const late = yield* call(url, "POST", `${base}/replies`, { token: op.key, json: { body: "one more" } })
      assert.strictEqual(late.status, 409)

      const seenByTenant = yield* call(url, "GET", `/support/tickets/${ticketId}`, { token: tenant.apiKey })
      assert.strictEqual(seenByTenant.body.status, "closed")
      const events = yield* call(url, "GET", "/audit/events?limit=100", { token: tenant.apiKey })
      assert.deepStrictEqual(
        events.body.data
          .filter((e: any) => e.subjectId === ticketId && e.actor === `operator:${op.id}`)
          .map((e: any) => [e.action, e.payload.to ?? null])
          .reverse(),
        [
          ["support_ticket.replied", null],
          ["support_ticket.status_changed", "resolved"],
          ["support_ticket.status_changed", "closed"]
        ]
      )
    })
  )

  it.effect(
    "refuses impossible moves (409), other customers' tickets (404), tenants and missing scopes (403), bad bodies (400)",
    () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const [a, b] = [tenants[0]!, tenants[1]!]
        const op = yield* operatorKey(["support:read", "support:write"])
        const ticketOfA = yield* open(url, a.apiKey)
        const base = `/admin/customers/${a.customer.id}/support/tickets/${ticketOfA}`
        const skip = yield* call(url, "POST", `${base}/status`, { token: op.key, json: { status: "closed" } })
        assert.strictEqual(skip.status, 409, "an open ticket is not closed without being resolved")

        const crossed = yield* call(
          url,
          "GET",
          `/admin/customers/${b.customer.id}/support/tickets/${ticketOfA}`,
          {
            token: op.key
          }
        )
        assert.strictEqual(crossed.status, 404, "through B's tenancy, A's ticket does not exist")
        const crossedReply = yield* call(
          url,
          "POST",
          `/admin/customers/${b.customer.id}/support/tickets/${ticketOfA}/replies`,
          { token: op.key, json: { body: "hello" } }
        )
        assert.strictEqual(crossedReply.status, 404)

        for (const json of [{ body: "" }, { body: "nul\u0000" }, {}, { body: "x".repeat(20_001) }]) {
          const r = yield* call(url, "POST", `${base}/replies`, { token: op.key, json })
          assert.strictEqual(r.status, 400, JSON.stringify(json).slice(0, 60))
        }
        const badStatus = yield* call(url, "POST", `${base}/status`, {
          token: op.key,
          json: { status: "done" }
        })
        assert.strictEqual(badStatus.status, 400)
        const asTenant = yield* call(url, "GET", base, { token: a.apiKey })
        assert.strictEqual(asTenant.status, 403)
        const reader = yield* operatorKey(["support:read"])
        const noScope = yield* call(url, "POST", `${base}/replies`, {
          token: reader.key,
          json: { body: "hi" }
        })
        assert.strictEqual(noScope.status, 403)
      })
  )
})
