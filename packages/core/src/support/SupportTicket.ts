/**
 * Support tickets (the card's `support_tickets` and `ticket_priority`), with the first-response
 * target that the tier's support level promises: a critical ticket gets the tier's
 * `criticalResponseHours`, lower priorities proportionally more.
 */
import { DateTime, Duration, Schema } from "effect"
import { features, type Tier } from "../billing/Tier.ts"
import * as FieldDoc from "../FieldDoc.ts"
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
      "`low`, `normal`, `high` or `critical`; sets the first-response deadline from the tier's support level."
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
    FieldDoc.describe("When the first response is due under the tier's support level, RFC 3339 UTC.")
  )
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
