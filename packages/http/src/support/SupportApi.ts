/** Support tickets of the authenticated customer, and their conversations. */
import { SupportTicket, TicketReply } from "@securebase/core"
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
    }).pipe(Scopes.requires("support:write")),
    HttpApiEndpoint.get("list", "/support/tickets", {
      query: { status: Schema.optional(SupportTicket.TicketStatus) },
      success: Schema.Array(SupportTicket.Ticket),
      error: [Forbidden]
    }).pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.get("get", "/support/tickets/:id", {
      params: { id: SupportTicket.TicketId },
      success: SupportTicket.Ticket,
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.get("replies", "/support/tickets/:id/replies", {
      params: { id: SupportTicket.TicketId },
      success: Schema.Array(SupportTicket.Reply),
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("support:read")),
    HttpApiEndpoint.post("reply", "/support/tickets/:id/replies", {
      params: { id: SupportTicket.TicketId },
      payload: TicketReply.NewReply,
      success: SupportTicket.Reply.pipe(HttpApiSchema.status(201)),
      error: [Forbidden, NotFound, Conflict]
    }).pipe(Scopes.requires("support:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Support" })) {}
