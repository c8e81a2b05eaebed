/**
 * Support handlers: tickets are opened with the plan's first-response target; a ticket's replies
 * are read and added by the customer (as the request's principal); another tenant's ticket is not
 * found.
 */
import { Ids, Pricing, SupportTicket, SupportTicketRepo, TicketReply } from "@securebase/core"
import { DateTime, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict } from "../api/ApiErrors.ts"
import { fromUnknownPlan, notFound } from "../api/ErrorMapping.ts"
import { asTenant, ownCustomer } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"
import { principalOf } from "../auth/AuthenticationLive.ts"

/** The handlers of the `support` group. */
export const layer = HttpApiBuilder.group(Api, "support", (handlers) =>
  Effect.succeed(
    handlers
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const at = yield* DateTime.now
          return yield* asTenant(
            identity.customerId,
            Effect.gen(function* () {
              const customer = yield* ownCustomer(identity.customerId)
              const ticket = SupportTicket.open({
                id: (yield* Ids.randomUuid) as SupportTicket.TicketId,
                customerId: customer.id,
                entitlements: yield* Pricing.entitlementsOf(customer.plan).pipe(
                  Effect.mapError(fromUnknownPlan)
                ),
                ticket: payload,
                at
              })
              return yield* SupportTicketRepo.SupportTicketRepo.use((r) => r.insert(ticket)).pipe(
                Effect.orDie
              )
            })
          )
        })
      )
      .handle("get", ({ params }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* asTenant(
            identity.customerId,
            SupportTicketRepo.SupportTicketRepo.use((r) => r.findById(params.id)).pipe(
              Effect.catchTag("NotFound", () => Effect.fail(notFound("support ticket")))
            )
          )
        })
      )
      .handle("replies", ({ params }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* asTenant(
            identity.customerId,
            TicketReply.conversation(params.id).pipe(
              Effect.catchTag("NotFound", () => Effect.fail(notFound("support ticket")))
            )
          )
        })
      )
      .handle("reply", ({ params, payload }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const at = yield* DateTime.now
          return yield* asTenant(
            identity.customerId,
            TicketReply.reply(params.id, payload, {
              author: principalOf(identity).actor,
              at
            }).pipe(
              Effect.catchTags({
                NotFound: () => Effect.fail(notFound("support ticket")),
                TicketClosed: (e) =>
                  Effect.fail(
                    new Conflict({ code: e.code, message: "the ticket is closed; open a new one" })
                  ),
                TenantAccessDenied: (e) => Effect.die(e)
              })
            )
          )
        })
      )
      .handle("list", ({ query }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* asTenant(
            identity.customerId,
            SupportTicketRepo.SupportTicketRepo.use((r) =>
              r.list(query.status === undefined ? {} : { status: query.status })
            )
          )
        })
      )
  )
)
