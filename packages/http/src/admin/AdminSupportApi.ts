/**
 * `/admin/customers/{id}/support/tickets/{ticketId}`: a customer's ticket with its replies and
 * response target (`support:read`), an operator's reply and a move through the lifecycle
 * (`support:write`).
 */
import { FieldDoc, Ids, SupportTicket } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

const params = {
  id: Ids.CustomerId.pipe(FieldDoc.describe("The customer's id, a UUID.")),
  ticketId: SupportTicket.TicketId.pipe(FieldDoc.describe("The ticket's id, a UUID."))
}

/** An operator's reply. */
const OperatorReply = Schema.Struct({
  body: SupportTicket.ReplyBody.pipe(
    FieldDoc.describe("The reply, 1 to 20,000 characters; tabs and line breaks allowed.")
  )
})
  .annotate({ identifier: "OperatorReply" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        { body: "We corrected the tax rate; the credit note CN-2026-000004 is attached to your invoice." }
      ]
    })
  )

/** A move through the ticket's lifecycle. */
const TicketMove = Schema.Struct({
  status: SupportTicket.TicketStatus.pipe(
    FieldDoc.describe(
      "The new status: open → in_progress → resolved → closed (a resolved ticket may go back to in_progress; a closed one never moves)."
    )
  )
})
  .annotate({ identifier: "TicketMove" })
  .pipe(Schema.annotateEncoded({ examples: [{ status: "resolved" }] }))
const path = "/admin/customers/:id/support/tickets/:ticketId"

/** The customer-side endpoints of `/admin` for support. */
export class AdminSupportApi extends HttpApiGroup.make("adminSupport")
  .add(
    HttpApiEndpoint.get("ticket", path, {
      params,
      success: SupportTicket.TicketDetails,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Read a customer's ticket",
          description:
            "The ticket with its conversation, its lifecycle's instants and whether the first response met the plan's target. Operator scope `support:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 for an unknown customer or ticket."
        })
      )
      .pipe(OperatorScopes.requires("support:read")),
    HttpApiEndpoint.post("reply", `${path}/replies`, {
      params,
      payload: OperatorReply,
      success: SupportTicket.TicketDetails,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Reply to a customer's ticket",
          description:
            "Adds the support team's reply (the first one is the ticket's first response and takes an open ticket in hand) and answers the ticket. Audited as `support_ticket.replied`. Operator scope `support:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 for an unknown customer or ticket, 409 `SUPPORT.TICKET_MOVE_REFUSED` for a closed ticket."
        })
      )
      .pipe(OperatorScopes.requires("support:write")),
    HttpApiEndpoint.post("move", `${path}/status`, {
      params,
      payload: TicketMove,
      success: SupportTicket.TicketDetails,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Move a customer's ticket",
          description:
            "Moves the ticket through its lifecycle (open → in_progress → resolved → closed; a resolved ticket may be reopened) and answers it. Audited as `support_ticket.status_changed`. Operator scope `support:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 for an unknown customer or ticket, 409 `SUPPORT.TICKET_MOVE_REFUSED` for a move the lifecycle forbids."
        })
      )
      .pipe(OperatorScopes.requires("support:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: support" })) {}
