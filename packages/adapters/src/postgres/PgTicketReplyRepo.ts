/**
 * `TicketReplyRepo` on PostgreSQL (`support_ticket_replies`, migration 0017). Inside
 * `Tenancy.runAs`, row-level security shows the tenant's replies only and admits a reply only in
 * the tenant's name; the composite key binds a reply to a ticket of that same customer.
 */
import { TicketReply } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** The row, read and written the same way. */
const Row = Schema.Struct({
  id: Schema.String,
  ticket_id: Schema.String,
  customer_id: Schema.String,
  author_kind: Schema.String,
  author: Schema.String,
  body: Schema.String,
  created_at: Schema.DateTimeUtcFromDate
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeReply = Schema.decodeUnknownEffect(TicketReply.Reply)

const toReply = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeReply({
      id: r.id,
      ticketId: r.ticket_id,
      customerId: r.customer_id,
      authorKind: r.author_kind,
      author: r.author,
      body: r.body,
      createdAt: r.created_at
    })
  )

const write = (reply: TicketReply.Reply) => ({
  id: reply.id,
  ticket_id: reply.ticketId,
  customer_id: reply.customerId,
  author_kind: reply.authorKind,
  author: reply.author,
  body: reply.body,
  created_at: DateTime.formatIso(reply.createdAt)
})

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(
    "id::text, ticket_id::text, customer_id::text, author_kind, author, body, created_at"
  )

  const insert = (reply: TicketReply.Reply) =>
    Effect.gen(function* () {
      const rows =
        yield* sql`INSERT INTO support_ticket_replies ${sql.insert(write(reply))} RETURNING ${columns}`.pipe(
          mapWrite("support_ticket_reply", reply.id, "insert")
        )
      return yield* mapRead("TicketReplyRepo.insert")(toReply(rows[0]))
    }).pipe(Effect.withSpan("TicketReplyRepo.insert"))

  const listByTicket = (ticketId: TicketReply.Reply["ticketId"]) =>
    mapRead("TicketReplyRepo.listByTicket")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM support_ticket_replies WHERE ticket_id = ${ticketId} ORDER BY created_at, id`,
        (rows) => Effect.forEach(rows, toReply)
      )
    ).pipe(Effect.withSpan("TicketReplyRepo.listByTicket"))

  return TicketReply.TicketReplyRepo.of({ insert, listByTicket })
})

/** `TicketReplyRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<TicketReply.TicketReplyRepo, never, SqlClient.SqlClient> = Layer.effect(
  TicketReply.TicketReplyRepo,
  make
)
