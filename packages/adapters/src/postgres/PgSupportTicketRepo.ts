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

  return SupportTicketRepo.SupportTicketRepo.of({ insert, list, findById })
})

/** `SupportTicketRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<SupportTicketRepo.SupportTicketRepo, never, SqlClient.SqlClient> =
  Layer.effect(SupportTicketRepo.SupportTicketRepo, make)
