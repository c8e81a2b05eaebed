/**
 * The `support_ticket_replies` row (migration 0014), defined once for every reader and writer of a
 * ticket's conversation: the customer's side (`PgTicketReplyRepo`) and the operators' side.
 */
import { TicketReply } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"

/** The columns to select, in the row's text forms. */
export const columns = "id::text, ticket_id::text, customer_id::text, author_kind, author, body, created_at"

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

/** A row as selected with {@link columns}, decoded into the core's reply. */
export const read = (row: unknown) =>
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

/** The row of a reply, as inserted. */
export const write = (reply: TicketReply.Reply) => ({
  id: reply.id,
  ticket_id: reply.ticketId,
  customer_id: reply.customerId,
  author_kind: reply.authorKind,
  author: reply.author,
  body: reply.body,
  created_at: DateTime.formatIso(reply.createdAt)
})
