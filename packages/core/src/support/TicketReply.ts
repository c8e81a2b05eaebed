/**
 * The conversation of a support ticket: replies from the customer and from operators, each with
 * its author's kind, oldest first. A customer replies to its own ticket while it is not closed; the
 * reply is audited (`support_ticket.replied`) in the transaction that stores it.
 */
import { Context, type DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import * as FieldDoc from "../FieldDoc.ts"
import * as Ids from "../Ids.ts"
import type {
  AlreadyExists,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import * as Text from "../Text.ts"
import * as SupportTicket from "./SupportTicket.ts"
import { TicketId } from "./SupportTicket.ts"
import { SupportTicketRepo } from "./SupportTicketRepo.ts"

/** A reply id: a UUID. */
export const ReplyId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("TicketReplyId"))
export type ReplyId = typeof ReplyId.Type

/** Who wrote a reply (one definition, `SupportTicket.AuthorKind`). */
export const AuthorKind = SupportTicket.AuthorKind
export type AuthorKind = SupportTicket.AuthorKind

/** What a customer sends: up to 20,000 characters, line breaks allowed, no other control character. */
export const NewReply = Schema.Struct({
  body: Text.multiLine({ minimum: 1, maximum: 20_000 }).pipe(
    FieldDoc.describe("The reply, 1 to 20,000 characters; tabs and line breaks allowed.")
  )
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

/** Port: where replies are stored (per customer, under row-level security). */
export class TicketReplyRepo extends Context.Service<
  TicketReplyRepo,
  {
    readonly insert: (
      reply: Reply
    ) => Effect.Effect<Reply, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /** The replies of one of the current tenant's tickets, oldest first. */
    readonly listByTicket: (ticketId: TicketId) => Effect.Effect<ReadonlyArray<Reply>, PersistenceFailure>
  }
>()("@securebase/core/support/TicketReplyRepo") {}

/** The replies of one of the tenant's tickets (another tenant's ticket is `NotFound`). */
export const conversation = Effect.fn("TicketReply.conversation")(function* (ticketId: TicketId) {
  const ticket = yield* SupportTicketRepo.use((r) => r.findById(ticketId))
  const replies = yield* TicketReplyRepo.use((r) => r.listByTicket(ticket.id))
  return { ticket, replies }
})

/**
 * A reply to one of the tenant's tickets by `author` (of kind `authorKind`), stored and audited in
 * the caller's tenant transaction; another tenant's ticket is `NotFound`, a closed one refused.
 */
export const reply = Effect.fn("TicketReply.reply")(function* (
  ticketId: TicketId,
  content: NewReply,
  options: { readonly authorKind: AuthorKind; readonly author: string; readonly at: DateTime.Utc }
) {
  const ticket = yield* SupportTicketRepo.use((r) => r.findById(ticketId))
  if (ticket.status === "closed") return yield* new TicketClosed({ ticketId })
  const id = (yield* Ids.randomUuid) as ReplyId
  const stored = yield* TicketReplyRepo.use((r) =>
    r.insert({
      id,
      ticketId: ticket.id,
      customerId: ticket.customerId,
      authorKind: options.authorKind,
      author: options.author,
      body: content.body,
      createdAt: options.at
    })
  )
  yield* AuditLog.use((a) =>
    a.append(
      new NewAuditEvent({
        customerId: ticket.customerId,
        action: "support_ticket.replied" as AuditAction,
        subjectType: "support_ticket",
        subjectId: ticket.id,
        payload: { replyId: stored.id, authorKind: stored.authorKind, characters: [...stored.body].length }
      })
    )
  )
  return stored
})
