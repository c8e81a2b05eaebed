/**
 * `SupportTicketRepo` on PostgreSQL. `list` has no customer argument: it is "the current tenant's
 * tickets", which is exactly what row-level security returns inside `Tenancy.runAs`.
 */
import { PersistenceError, SupportTicket, SupportTicketRepo } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  subject: Schema.String,
  description: Schema.String,
  priority: Schema.String,
  status: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  first_response_due_at: Schema.DateTimeUtcFromDate
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeLifecycle = Schema.decodeUnknownEffect(
  Schema.Struct({
    first_responded_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
    resolved_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
    closed_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
  })
)
const ReplyRow = Schema.Struct({
  id: Schema.String,
  ticket_id: Schema.String,
  customer_id: Schema.String,
  author_kind: Schema.String,
  author: Schema.String,
  body: Schema.String,
  created_at: Schema.DateTimeUtcFromDate
})
const decodeReplyRow = Schema.decodeUnknownEffect(ReplyRow)
const decodeReply = Schema.decodeUnknownEffect(SupportTicket.Reply)
const toReply = (row: unknown) =>
  Effect.flatMap(decodeReplyRow(row), (r) =>
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
const decodeTicket = Schema.decodeUnknownEffect(SupportTicket.Ticket)

const toTicket = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeTicket({
      id: r.id,
      customerId: r.customer_id,
      subject: r.subject,
      description: r.description,
      priority: r.priority,
      status: r.status,
      createdAt: r.created_at,
      firstResponseDueAt: r.first_response_due_at
    })
  )

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(
    "id::text, customer_id::text, subject, description, priority::text, status, created_at, first_response_due_at"
  )

  const insert = (ticket: SupportTicket.Ticket) =>
    Effect.gen(function* () {
      const rows = yield* sql`
        INSERT INTO support_tickets (id, customer_id, subject, description, priority, status, created_at,
          first_response_due_at, updated_at)
        VALUES (${ticket.id}, ${ticket.customerId}, ${ticket.subject}, ${ticket.description}, ${ticket.priority},
          ${ticket.status}, ${DateTime.formatIso(ticket.createdAt)}, ${DateTime.formatIso(ticket.firstResponseDueAt)},
          ${DateTime.formatIso(ticket.createdAt)})
        RETURNING ${columns}`.pipe(mapWrite("support_ticket", ticket.id, "insert"))
      return yield* mapRead("SupportTicketRepo.insert")(toTicket(rows[0]))
    }).pipe(Effect.withSpan("SupportTicketRepo.insert"))

  const list = (filter: { readonly status?: SupportTicket.TicketStatus }) =>
    mapRead("SupportTicketRepo.list")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM support_tickets
            ${filter.status === undefined ? sql.unsafe("") : sql`WHERE status = ${filter.status}`}
            ORDER BY created_at DESC, id`,
        (rows) => Effect.forEach(rows, toTicket)
      )
    ).pipe(Effect.withSpan("SupportTicketRepo.list"))

  const findById = (id: SupportTicket.TicketId) =>
    Effect.gen(function* () {
      const rows = yield* mapRead("SupportTicketRepo.findById")(
        sql`SELECT ${columns} FROM support_tickets WHERE id = ${id}`
      )
      if (rows.length === 0)
        return yield* new PersistenceError.NotFound({ entity: "support ticket", key: id })
      return yield* mapRead("SupportTicketRepo.findById")(toTicket(rows[0]))
    }).pipe(Effect.withSpan("SupportTicketRepo.findById"))

  const details = (id: SupportTicket.TicketId) =>
    Effect.gen(function* () {
      const ticket = yield* findById(id)
      const [row] = yield* mapRead("SupportTicketRepo.details")(
        Effect.flatMap(
          sql`SELECT first_responded_at, resolved_at, closed_at FROM support_tickets WHERE id = ${id}`,
          (rows) => Effect.forEach(rows, (r) => decodeLifecycle(r))
        )
      )
      const replies = yield* mapRead("SupportTicketRepo.details")(
        Effect.flatMap(
          sql`SELECT id::text, ticket_id::text, customer_id::text, author_kind, author, body, created_at
              FROM support_ticket_replies WHERE ticket_id = ${id} ORDER BY created_at, id`,
          (rows) => Effect.forEach(rows, toReply)
        )
      )
      const first = row!.first_responded_at
      return {
        ticket,
        firstRespondedAt: first,
        responseTargetMet:
          first === null ? null : DateTime.isLessThanOrEqualTo(first, ticket.firstResponseDueAt),
        resolvedAt: row!.resolved_at,
        closedAt: row!.closed_at,
        replies
      } satisfies SupportTicket.TicketDetails
    }).pipe(Effect.withSpan("SupportTicketRepo.details"))

  const addReply = (reply: SupportTicket.Reply) =>
    Effect.gen(function* () {
      const at = DateTime.formatIso(reply.createdAt)
      yield* sql`
        INSERT INTO support_ticket_replies (id, ticket_id, customer_id, author_kind, author, body, created_at)
        VALUES (${reply.id}, ${reply.ticketId}, ${reply.customerId}, ${reply.authorKind}, ${reply.author},
          ${reply.body}, ${at})`.pipe(
        mapWrite("support_ticket_reply", reply.id, "insert"),
        Effect.catchTag("AlreadyExists", Effect.die)
      )
      if (reply.authorKind === "operator") {
        yield* mapRead("SupportTicketRepo.addReply")(sql`
          UPDATE support_tickets SET first_responded_at = coalesce(first_responded_at, ${at}::timestamptz),
            status = CASE WHEN status IN ('open', 'pending') THEN 'in_progress' ELSE status END, updated_at = now()
          WHERE id = ${reply.ticketId}`)
      }
    }).pipe(Effect.withSpan("SupportTicketRepo.addReply"))

  const setStatus = (id: SupportTicket.TicketId, status: SupportTicket.TicketStatus, at: DateTime.Utc) =>
    Effect.gen(function* () {
      const iso = DateTime.formatIso(at)
      const rows = yield* mapRead("SupportTicketRepo.setStatus")(sql`
        UPDATE support_tickets SET status = ${status}, updated_at = now(),
          resolved_at = CASE WHEN ${status} = 'resolved' THEN ${iso}::timestamptz
                             WHEN ${status} = 'in_progress' THEN NULL ELSE resolved_at END,
          closed_at = CASE WHEN ${status} = 'closed' THEN ${iso}::timestamptz ELSE closed_at END
        WHERE id = ${id} RETURNING id`)
      if (rows.length === 0)
        return yield* new PersistenceError.NotFound({ entity: "support ticket", key: id })
    }).pipe(Effect.withSpan("SupportTicketRepo.setStatus"))

  return SupportTicketRepo.SupportTicketRepo.of({ insert, list, findById, details, addReply, setStatus })
})

/** `SupportTicketRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<SupportTicketRepo.SupportTicketRepo, never, SqlClient.SqlClient> =
  Layer.effect(SupportTicketRepo.SupportTicketRepo, make)
