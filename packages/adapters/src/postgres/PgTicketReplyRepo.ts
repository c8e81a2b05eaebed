/**
 * `TicketReplyRepo` on PostgreSQL (`support_ticket_replies`, migration 0014). Inside
 * `Tenancy.runAs`, row-level security shows the tenant's replies only and admits a reply only in
 * the tenant's name; the composite key binds a reply to a ticket of that same customer.
 */
import { TicketReply } from "@securebase/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { columns as replyColumns, read as toReply, write } from "./rows/TicketReplyRow.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(replyColumns)

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
