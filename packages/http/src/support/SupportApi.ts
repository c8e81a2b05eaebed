/** Support tickets of the authenticated customer, and their conversations. */
import { FieldDoc, SupportTicket, TicketReply } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** Support endpoints (scopes `support:read`, `support:write`). */
export class SupportApi extends HttpApiGroup.make("support")
  .add(
    HttpApiEndpoint.post("create", "/support/tickets/create", {
      payload: SupportTicket.NewTicket,
      success: SupportTicket.Ticket.pipe(HttpApiSchema.status(201)),
      error: [Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Open a support ticket",
          description:
            "Opens a ticket with a subject, a description and a priority, and answers 201 with the ticket and its first-response deadline (from the plan's support terms). Scope `support:write`. Errors: 400 `REQUEST.INVALID` (an empty or too long subject or description, an unknown priority), 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("support:write")),
    HttpApiEndpoint.get("list", "/support/tickets", {
      query: {
        status: Schema.optional(SupportTicket.TicketStatus).pipe(
          FieldDoc.describe("Only tickets in this status.")
        )
      },
      success: Schema.Array(SupportTicket.Ticket),
      error: [Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List support tickets",
          description:
            "The caller's support tickets, newest first, optionally filtered by status. Scope `support:read`. Errors: 400 `REQUEST.INVALID` for an unknown status, 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.get("get", "/support/tickets/:id", {
      params: { id: SupportTicket.TicketId.pipe(FieldDoc.describe("The ticket's id, a UUID.")) },
      success: SupportTicket.Ticket,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get a support ticket",
          description:
            "One support ticket. Scope `support:read`. Errors: 400 `REQUEST.INVALID` for an id that is not a UUID, 403 `AUTH.SCOPE_MISSING`, 404 `SUPPORT_TICKET.NOT_FOUND` (also for another tenant's ticket)."
        })
      )
      .pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.get("replies", "/support/tickets/:id/replies", {
      params: { id: SupportTicket.TicketId.pipe(FieldDoc.describe("The ticket's id, a UUID.")) },
      success: Schema.Array(TicketReply.Reply),
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List a ticket's replies",
          description:
            "The conversation of one ticket, oldest first: the customer's replies and the support team's. Scope `support:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `SUPPORT_TICKET.NOT_FOUND` (also for another tenant's ticket)."
        })
      )
      .pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.post("reply", "/support/tickets/:id/replies", {
      params: { id: SupportTicket.TicketId.pipe(FieldDoc.describe("The ticket's id, a UUID.")) },
      payload: TicketReply.NewReply,
      success: TicketReply.Reply.pipe(HttpApiSchema.status(201)),
      error: [Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Reply to a ticket",
          description:
            "Adds the customer's reply to a ticket and answers 201 with it. Scope `support:write`. Errors: 400 `REQUEST.INVALID` (an empty or too long body), 403 `AUTH.SCOPE_MISSING`, 404 `SUPPORT_TICKET.NOT_FOUND` (also for another tenant's ticket), 409 for a closed ticket."
        })
      )
      .pipe(Scopes.requires("support:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Support" })) {}
