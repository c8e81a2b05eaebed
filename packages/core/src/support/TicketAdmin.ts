/**
 * The operator's side of support tickets: read a ticket with its replies and response target,
 * reply (the first operator reply is the first response; it takes an open ticket in hand), and
 * move it through its lifecycle (`SupportTicket.transitions`). Each runs as the customer and is
 * audited in its chain (`support_ticket.replied`, `support_ticket.status_changed`).
 */
import { DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { CustomerId } from "../Ids.ts"
import { randomUuid } from "../notifications/Notification.ts"
import { CurrentPrincipal, Tenancy } from "../tenancy/Tenancy.ts"
import { canMove, type TicketId, type TicketStatus } from "./SupportTicket.ts"
import { SupportTicketRepo } from "./SupportTicketRepo.ts"

/** The lifecycle does not allow this move (closing an open ticket, reopening a closed one, …). */
export class TicketMoveRefused extends Schema.TaggedError<TicketMoveRefused>()("TicketMoveRefused", {
  from: Schema.String,
  to: Schema.String
}) {
  /** Stable error code. */
  readonly code = "SUPPORT.TICKET_MOVE_REFUSED"
  override get message(): string {
    return `a ${this.from} ticket cannot become ${this.to}`
  }
}

const audit = (customerId: CustomerId, action: string, ticketId: TicketId, payload: object) =>
  AuditLog.use((log) =>
    log.append(
      new NewAuditEvent({
        customerId,
        action: action as AuditAction,
        subjectType: "support_ticket",
        subjectId: ticketId,
        payload: payload as never
      })
    )
  )

/** The ticket with its replies and lifecycle. */
export const details = Effect.fn("TicketAdmin.details")(function* (customerId: CustomerId, id: TicketId) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    customerId,
    SupportTicketRepo.use((r) => r.details(id))
  )
})

/** An operator's reply (its author is the fiber's principal). */
export const reply = Effect.fn("TicketAdmin.reply")(function* (
  customerId: CustomerId,
  id: TicketId,
  body: string
) {
  const tenancy = yield* Tenancy
  const author = (yield* CurrentPrincipal)?.actor ?? "operator:unknown"
  const createdAt = yield* DateTime.now
  const replyId = yield* randomUuid
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const repo = yield* SupportTicketRepo
      const ticket = yield* repo.findById(id)
      if (ticket.status === "closed") return yield* new TicketMoveRefused({ from: "closed", to: "replied" })
      yield* repo.addReply({
        id: replyId,
        ticketId: id,
        customerId,
        authorKind: "operator",
        author,
        body,
        createdAt
      })
      yield* audit(customerId, "support_ticket.replied", id, { replyId, characters: body.length })
      return yield* repo.details(id)
    })
  )
})

/** Moves the ticket to `to` when the lifecycle allows it. */
export const move = Effect.fn("TicketAdmin.move")(function* (
  customerId: CustomerId,
  id: TicketId,
  to: TicketStatus
) {
  const tenancy = yield* Tenancy
  const at = yield* DateTime.now
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const repo = yield* SupportTicketRepo
      const ticket = yield* repo.findById(id)
      if (!canMove(ticket.status, to)) return yield* new TicketMoveRefused({ from: ticket.status, to })
      yield* repo.setStatus(id, to, at)
      yield* audit(customerId, "support_ticket.status_changed", id, { from: ticket.status, to })
      return yield* repo.details(id)
    })
  )
})
