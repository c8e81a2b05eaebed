/**
 * The customer's side of a ticket's conversation (the operator's is `TicketAdmin`): read the
 * replies, oldest first, and reply while the ticket is not closed, as the request's principal.
 * The reply is stored and audited (`support_ticket.replied`) in the caller's tenant transaction;
 * another tenant's ticket is `NotFound`, exactly like an unknown id.
 */
import { type DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import * as FieldDoc from "../FieldDoc.ts"
import * as Ids from "../Ids.ts"
import * as SupportTicket from "./SupportTicket.ts"
import { ReplyBody, TicketId } from "./SupportTicket.ts"
import { SupportTicketRepo } from "./SupportTicketRepo.ts"

/** What a customer sends: the reply's body (1 to 20,000 characters, line breaks allowed). */
export const NewReply = Schema.Struct({
  body: ReplyBody.pipe(FieldDoc.describe("The reply, 1 to 20,000 characters; tabs and line breaks allowed."))
})
  .annotate({ identifier: "NewTicketReply" })
  .pipe(
    Schema.annotateEncoded({
      examples: [{ body: "Thanks: the corrected invoice arrived and the tax is right now." }]
    })
  )
export interface NewReply extends Schema.Schema.Type<typeof NewReply> {}

/** A stored reply (one definition for the customer's and the operators' side, `SupportTicket.Reply`). */
export const Reply = SupportTicket.Reply
export type Reply = SupportTicket.Reply

/** A closed ticket takes no more replies. */
export class TicketClosed extends Schema.TaggedError<TicketClosed>()("TicketClosed", { ticketId: TicketId }) {
  /** Stable error code. */
  readonly code = "SUPPORT_TICKET.CLOSED"
}

/** The replies of one of the tenant's tickets, oldest first. */
export const conversation = Effect.fn("TicketReply.conversation")(function* (ticketId: TicketId) {
  const details = yield* SupportTicketRepo.use((r) => r.details(ticketId))
  return details.replies
})

/** The customer's reply to one of its tickets, written by `author` (the request's principal). */
export const reply = Effect.fn("TicketReply.reply")(function* (
  ticketId: TicketId,
  content: NewReply,
  options: { readonly author: string; readonly at: DateTime.Utc }
) {
  const repo = yield* SupportTicketRepo
  const ticket = yield* repo.findById(ticketId)
  if (ticket.status === "closed") return yield* new TicketClosed({ ticketId })
  const stored: Reply = {
    id: yield* Ids.randomUuid,
    ticketId: ticket.id,
    customerId: ticket.customerId,
    authorKind: "customer",
    author: options.author,
    body: content.body,
    createdAt: options.at
  }
  yield* repo.addReply(stored)
  yield* AuditLog.use((a) =>
    a.append(
      new NewAuditEvent({
        customerId: ticket.customerId,
        action: "support_ticket.replied" as AuditAction,
        subjectType: "support_ticket",
        subjectId: ticket.id,
        payload: { replyId: stored.id, authorKind: "customer", characters: [...stored.body].length }
      })
    )
  )
  return stored
})
