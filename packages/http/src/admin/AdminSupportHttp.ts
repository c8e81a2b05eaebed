/** The handlers of `/admin/customers/{id}/support/tickets/{ticketId}`. */
import { TicketAdmin } from "@securebase/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict, ServiceUnavailable } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"

const answered = {
  NotFound: () => Effect.fail(notFound("support ticket", "ticketId")),
  TicketMoveRefused: (e: TicketAdmin.TicketMoveRefused) =>
    Effect.fail(new Conflict({ code: e.code, message: e.message })),
  TenantAccessDenied: Effect.die,
  AuthenticationFailed: Effect.die,
  PersistenceFailure: (e: { readonly code: string }) =>
    Effect.fail(new ServiceUnavailable({ code: e.code, message: "the database is temporarily unavailable" }))
} as const

/** The handlers of the `adminSupport` group. */
export const layer = HttpApiBuilder.group(Api, "adminSupport", (handlers) =>
  Effect.succeed(
    handlers
      .handle("ticket", ({ params }) =>
        TicketAdmin.details(params.id, params.ticketId).pipe(
          Effect.catchTags({
            NotFound: answered.NotFound,
            AuthenticationFailed: answered.AuthenticationFailed,
            PersistenceFailure: answered.PersistenceFailure
          })
        )
      )
      .handle("reply", ({ params, payload }) =>
        TicketAdmin.reply(params.id, params.ticketId, payload.body).pipe(Effect.catchTags(answered))
      )
      .handle("move", ({ params, payload }) =>
        TicketAdmin.move(params.id, params.ticketId, payload.status).pipe(
          Effect.catchTags({
            NotFound: answered.NotFound,
            TicketMoveRefused: answered.TicketMoveRefused,
            TenantAccessDenied: answered.TenantAccessDenied,
            AuthenticationFailed: answered.AuthenticationFailed,
            PersistenceFailure: answered.PersistenceFailure
          })
        )
      )
  )
)
