/**
 * `/admin/customers/{id}/support/tickets/{ticketId}`: a customer's ticket with its replies and
 * response target (`support:read`), an operator's reply and a move through the lifecycle
 * (`support:write`).
 */
import { Ids, SupportTicket } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

const params = { id: Ids.CustomerId, ticketId: SupportTicket.TicketId }
const path = "/admin/customers/:id/support/tickets/:ticketId"

/** The customer-side endpoints of `/admin` for support. */
export class AdminSupportApi extends HttpApiGroup.make("adminSupport")
  .add(
    HttpApiEndpoint.get("ticket", path, {
      params,
      success: SupportTicket.TicketDetails,
      error: [Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("support:read")),
    HttpApiEndpoint.post("reply", `${path}/replies`, {
      params,
      payload: Schema.Struct({ body: SupportTicket.ReplyBody }).annotate({ identifier: "OperatorReply" }),
      success: SupportTicket.TicketDetails,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    }).pipe(OperatorScopes.requires("support:write")),
    HttpApiEndpoint.post("move", `${path}/status`, {
      params,
      payload: Schema.Struct({ status: SupportTicket.TicketStatus }).annotate({ identifier: "TicketMove" }),
      success: SupportTicket.TicketDetails,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    }).pipe(OperatorScopes.requires("support:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: support" })) {}
