/**
 * Ticket replies on PostgreSQL (PGlite always, the server when DATABASE_URL is set): a tenant
 * reads and writes only its own conversation. Row-level security refuses a reply in another
 * customer's name and hides other tenants' replies; the composite key refuses a reply of one's own
 * to another customer's ticket.
 */
import { assert } from "@effect/vitest"
import {
  CustomerRepo,
  type Ids,
  SupportTicket,
  SupportTicketRepo,
  Tenancy,
  TicketReply
} from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import * as PgSupportTicketRepo from "../../src/postgres/PgSupportTicketRepo.ts"
import * as PgTicketReplyRepo from "../../src/postgres/PgTicketReplyRepo.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const adapters = Layer.mergeAll(Fixtures.adapters, PgSupportTicketRepo.layer, PgTicketReplyRepo.layer)

/** A customer with one open ticket. */
const customerWithTicket = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const customerId = Fixtures.customerId()
  const ticket = Schema.decodeSync(SupportTicket.Ticket)({
    id: crypto.randomUUID(),
    customerId,
    subject: "Invoice question",
    description: "Why did the total change?",
    priority: "high",
    status: "open",
    createdAt: DateTime.makeUnsafe("2026-10-01T00:00:00Z"),
    firstResponseDueAt: DateTime.makeUnsafe("2026-10-01T04:00:00Z")
  })
  yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(customerId)))
      yield* SupportTicketRepo.SupportTicketRepo.use((r) => r.insert(ticket))
    })
  )
  return { customerId, ticketId: ticket.id }
}).pipe(Effect.orDie)

const reply = (
  customerId: Ids.CustomerId,
  ticketId: SupportTicket.TicketId,
  minute: number
): TicketReply.Reply => ({
  id: crypto.randomUUID() as TicketReply.ReplyId,
  ticketId,
  customerId,
  authorKind: minute % 2 === 0 ? "customer" : "operator",
  author: minute % 2 === 0 ? "api_key:abcdefghijklmnop" : "operator:qrstuvwxyzabcdef",
  body: `reply ${minute}`,
  createdAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 1, 1, minute))
})

suite("TicketReplyRepo", (it) => {
  it.effect("stores customer and operator replies and lists a ticket's oldest first", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* TicketReply.TicketReplyRepo
      const { customerId, ticketId } = yield* customerWithTicket
      const later = reply(customerId, ticketId, 2)
      const earlier = reply(customerId, ticketId, 1)
      yield* tenancy.runAs(customerId, Effect.all([repo.insert(later), repo.insert(earlier)]))
      const listed = yield* tenancy.runAs(customerId, repo.listByTicket(ticketId))
      assert.deepStrictEqual(
        listed.map((r) => [r.body, r.authorKind, r.author]),
        [
          ["reply 1", "operator", "operator:qrstuvwxyzabcdef"],
          ["reply 2", "customer", "api_key:abcdefghijklmnop"]
        ]
      )
    }).pipe(Effect.provide(adapters))
  )

  it.effect("another tenant can neither read a conversation nor write into one", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* TicketReply.TicketReplyRepo
      const a = yield* customerWithTicket
      const b = yield* customerWithTicket
      yield* tenancy.runAs(a.customerId, repo.insert(reply(a.customerId, a.ticketId, 0)))
      assert.deepStrictEqual(yield* tenancy.runAs(b.customerId, repo.listByTicket(a.ticketId)), [])
      // In A's name: row-level security.
      const inAsName = yield* Effect.flip(
        tenancy.runAs(b.customerId, repo.insert(reply(a.customerId, a.ticketId, 2)))
      )
      assert.strictEqual(inAsName._tag, "TenantAccessDenied")
      // In B's own name on A's ticket: the composite key.
      const onAsTicket = yield* Effect.flip(
        tenancy.runAs(b.customerId, repo.insert(reply(b.customerId, a.ticketId, 4)))
      )
      assert.strictEqual(onAsTicket._tag, "PersistenceFailure")
      assert.strictEqual((yield* tenancy.runAs(a.customerId, repo.listByTicket(a.ticketId))).length, 1)
    }).pipe(Effect.provide(adapters))
  )
})
