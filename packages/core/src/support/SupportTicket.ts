/**
 * Support tickets (the card's `support_tickets` and `ticket_priority`), with the first-response
 * target that the plan's support level promises: a critical ticket gets the plan's
 * `criticalResponseHours`, lower priorities proportionally more.
 */
import { DateTime, Duration, Schema } from "effect"
import type { Entitlements } from "../billing/Entitlements.ts"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"
import * as Text from "../Text.ts"

/** A ticket id: a UUID. */
export const TicketId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("TicketId"))
export type TicketId = typeof TicketId.Type

/** The card's `ticket_priority` enum. */
export const TicketPriority = Schema.Literals(["low", "normal", "high", "critical"])
export type TicketPriority = typeof TicketPriority.Type

/**
 * Where a ticket stands: `open` → `in_progress` (an operator took it, or replied) → `resolved` →
 * `closed`; `pending` is kept for tickets stored before the lifecycle.
 */
export const TicketStatus = Schema.Literals(["open", "pending", "in_progress", "resolved", "closed"])
export type TicketStatus = typeof TicketStatus.Type

/**
 * What a customer sends to open a ticket: a one-line subject of 3 to 200 characters (as the
 * database counts them) and a description of up to 20,000 characters that may hold tabs and line
 * breaks but no other control character.
 */
export const NewTicket = Schema.Struct({
  subject: Text.singleLine({ minimum: 3, maximum: 200, trimmed: true }).pipe(
    FieldDoc.describe("A one-line subject of 3 to 200 characters.", [
      "Invoice INV-2026-000123 shows the wrong tax"
    ])
  ),
  description: Text.multiLine({ minimum: 1, maximum: 20_000 }).pipe(
    FieldDoc.describe("What happened, up to 20,000 characters; tabs and line breaks allowed.", [
      "The November invoice applies 8.25 % instead of 7.25 %."
    ])
  ),
  priority: TicketPriority.pipe(
    FieldDoc.describe(
      "`low`, `normal`, `high` or `critical`; sets the first-response deadline from the plan's support level."
    )
  )
})
  .annotate({ identifier: "NewSupportTicket" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          subject: "Invoice INV-2026-000123 shows the wrong tax",
          description: "The November invoice applies 8.25 % sales tax; our rate is 7.25 %.",
          priority: "normal"
        }
      ]
    })
  )
export interface NewTicket extends Schema.Schema.Type<typeof NewTicket> {}

/** A support ticket. */
export const Ticket = Schema.Struct({
  id: TicketId.pipe(FieldDoc.describe("The ticket's id, a UUID.")),
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) who opened it, a UUID.")),
  subject: Schema.String.pipe(FieldDoc.describe("The ticket's one-line subject.")),
  description: Schema.String.pipe(FieldDoc.describe("What the customer wrote.")),
  priority: TicketPriority.pipe(FieldDoc.describe("`low`, `normal`, `high` or `critical`.")),
  status: TicketStatus.pipe(FieldDoc.describe("`open`, `pending`, `resolved` or `closed`.")),
  createdAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the ticket was opened, RFC 3339 UTC.")),
  firstResponseDueAt: Schema.DateTimeUtc.pipe(
    FieldDoc.describe("When the first response is due under the plan's support level, RFC 3339 UTC.")
  )
}).annotate({ identifier: "SupportTicket" })
export interface Ticket extends Schema.Schema.Type<typeof Ticket> {}

const multiplier: Record<TicketPriority, number> = { critical: 1, high: 2, normal: 4, low: 8 }

/** The first-response target of a ticket of `priority` under a plan's `entitlements`. */
export const responseTarget = (entitlements: Entitlements, priority: TicketPriority): Duration.Duration =>
  Duration.hours(entitlements.criticalResponseHours * multiplier[priority])

/** Opens a ticket: status `open`, first-response due per the plan's support level. */
export const open = (options: {
  readonly id: TicketId
  readonly customerId: CustomerId
  readonly entitlements: Entitlements
  readonly ticket: NewTicket
  readonly at: DateTime.Utc
}): Ticket => ({
  id: options.id,
  customerId: options.customerId,
  subject: options.ticket.subject,
  description: options.ticket.description,
  priority: options.ticket.priority,
  status: "open",
  createdAt: options.at,
  firstResponseDueAt: DateTime.addDuration(
    options.at,
    responseTarget(options.entitlements, options.ticket.priority)
  )
})

/** The moves of the ticket lifecycle: a resolved ticket may be reopened, a closed one never. */
export const transitions: Readonly<Record<TicketStatus, ReadonlyArray<TicketStatus>>> = {
  open: ["in_progress", "resolved"],
  pending: ["in_progress", "resolved"],
  in_progress: ["resolved"],
  resolved: ["closed", "in_progress"],
  closed: []
}

/** Whether a ticket may move from `from` to `to`. */
export const canMove = (from: TicketStatus, to: TicketStatus): boolean => transitions[from].includes(to)

/** Who wrote a reply. */
export const AuthorKind = Schema.Literals(["customer", "operator"])
export type AuthorKind = typeof AuthorKind.Type

/** A reply on a ticket, from the customer or an operator. */
export const Reply = Schema.Struct({
  id: Schema.String.check(Schema.isUUID()).pipe(FieldDoc.describe("The reply's id, a UUID.")),
  ticketId: TicketId.pipe(FieldDoc.describe("The ticket it answers, a UUID.")),
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) the ticket belongs to, a UUID.")),
  authorKind: AuthorKind.pipe(FieldDoc.describe("`customer` or `operator` (the support team).")),
  /** `operator:<id>`, `api_key:<id>`, `session:<id>`: the principal that wrote it. */
  author: Schema.String.pipe(
    FieldDoc.describe("Who wrote it: `api_key:<id>`, `session:<id>` or `operator:<id>`.")
  ),
  body: Schema.String.pipe(FieldDoc.describe("The reply's text.")),
  createdAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When it was written, RFC 3339 UTC."))
}).annotate({ identifier: "SupportTicketReply" })
export interface Reply extends Schema.Schema.Type<typeof Reply> {}

/** What a reply's body may be: 1 to 20,000 characters, tabs and line breaks allowed. */
export const ReplyBody = Text.multiLine({ minimum: 1, maximum: 20_000 })

/** A ticket with its lifecycle's instants, the response target's outcome and its replies. */
export const TicketDetails = Schema.Struct({
  ticket: Ticket.pipe(FieldDoc.describe("The ticket.")),
  /** When an operator first replied (null before). */
  firstRespondedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When an operator first replied, RFC 3339 UTC; null before.")
  ),
  /** Whether that first reply came by `firstResponseDueAt` (null before it came). */
  responseTargetMet: Schema.NullOr(Schema.Boolean).pipe(
    FieldDoc.describe(
      "Whether the first reply came by the ticket's first-response deadline; null before it came."
    )
  ),
  resolvedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the ticket was last resolved, RFC 3339 UTC; null if never.")
  ),
  closedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the ticket was closed, RFC 3339 UTC; null unless closed.")
  ),
  replies: Schema.Array(Reply).pipe(FieldDoc.describe("The conversation, oldest first."))
}).annotate({ identifier: "SupportTicketDetails" })
export interface TicketDetails extends Schema.Schema.Type<typeof TicketDetails> {}
