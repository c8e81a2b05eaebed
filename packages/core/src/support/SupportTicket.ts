/**
 * Support tickets (the card's `support_tickets` and `ticket_priority`), with the first-response
 * target that the tier's support level promises: a critical ticket gets the tier's
 * `criticalResponseHours`, lower priorities proportionally more.
 */
import { DateTime, Duration, Schema } from "effect"
import { features, type Tier } from "../billing/Tier.ts"
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
  subject: Text.singleLine({ minimum: 3, maximum: 200, trimmed: true }),
  description: Text.multiLine({ minimum: 1, maximum: 20_000 }),
  priority: TicketPriority
}).annotate({ identifier: "NewSupportTicket" })
export interface NewTicket extends Schema.Schema.Type<typeof NewTicket> {}

/** A support ticket. */
export const Ticket = Schema.Struct({
  id: TicketId,
  customerId: CustomerId,
  subject: Schema.String,
  description: Schema.String,
  priority: TicketPriority,
  status: TicketStatus,
  createdAt: Schema.DateTimeUtc,
  firstResponseDueAt: Schema.DateTimeUtc
}).annotate({ identifier: "SupportTicket" })
export interface Ticket extends Schema.Schema.Type<typeof Ticket> {}

const multiplier: Record<TicketPriority, number> = { critical: 1, high: 2, normal: 4, low: 8 }

/** The first-response target of a ticket of `priority` for a customer of `tier`. */
export const responseTarget = (tier: Tier, priority: TicketPriority): Duration.Duration =>
  Duration.hours(features[tier].criticalResponseHours * multiplier[priority])

/** Opens a ticket: status `open`, first-response due per the tier's support level. */
export const open = (options: {
  readonly id: TicketId
  readonly customerId: CustomerId
  readonly tier: Tier
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
  firstResponseDueAt: DateTime.addDuration(options.at, responseTarget(options.tier, options.ticket.priority))
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
  id: Schema.String.check(Schema.isUUID()),
  ticketId: TicketId,
  customerId: CustomerId,
  authorKind: AuthorKind,
  /** `operator:<id>`, `api_key:<id>`, `session:<id>`: the principal that wrote it. */
  author: Schema.String,
  body: Schema.String,
  createdAt: Schema.DateTimeUtc
}).annotate({ identifier: "SupportTicketReply" })
export interface Reply extends Schema.Schema.Type<typeof Reply> {}

/** What a reply's body may be: 1 to 20,000 characters, tabs and line breaks allowed. */
export const ReplyBody = Text.multiLine({ minimum: 1, maximum: 20_000 })

/** A ticket with its lifecycle's instants, the response target's outcome and its replies. */
export const TicketDetails = Schema.Struct({
  ticket: Ticket,
  /** When an operator first replied (null before). */
  firstRespondedAt: Schema.NullOr(Schema.DateTimeUtc),
  /** Whether that first reply came by `firstResponseDueAt` (null before it came). */
  responseTargetMet: Schema.NullOr(Schema.Boolean),
  resolvedAt: Schema.NullOr(Schema.DateTimeUtc),
  closedAt: Schema.NullOr(Schema.DateTimeUtc),
  replies: Schema.Array(Reply)
}).annotate({ identifier: "SupportTicketDetails" })
export interface TicketDetails extends Schema.Schema.Type<typeof TicketDetails> {}
