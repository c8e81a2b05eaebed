/**
 * Support tickets (the card's `support_tickets` and `ticket_priority`), with the first-response
 * target that the plan's support level promises: a critical ticket gets the plan's
 * `criticalResponseHours`, lower priorities proportionally more.
 */
import { DateTime, Duration, Schema } from "effect"
import type { Entitlements } from "../billing/Entitlements.ts"
import { CustomerId } from "../Ids.ts"
import * as Text from "../Text.ts"

/** A ticket id: a UUID. */
export const TicketId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("TicketId"))
export type TicketId = typeof TicketId.Type

/** The card's `ticket_priority` enum. */
export const TicketPriority = Schema.Literals(["low", "normal", "high", "critical"])
export type TicketPriority = typeof TicketPriority.Type

/** Where a ticket stands. */
export const TicketStatus = Schema.Literals(["open", "pending", "resolved", "closed"])
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
