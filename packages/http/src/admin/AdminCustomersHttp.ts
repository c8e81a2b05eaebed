/**
 * The handlers of `/admin/customers`. Changes go through `CustomerAdmin` (as the customer, audited
 * with the operator as the actor); the list reads every customer through the billing worker's
 * read-only grant on `customers` (an operator's list is the one cross-customer read, and writes
 * nothing).
 */
import {
  type AuthError,
  CustomerAdmin,
  CustomerRepo,
  Ids,
  type PersistenceError,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect, Redacted, Result, Schema } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest, Conflict, ServiceUnavailable } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"
import * as Upcoming from "../api/Upcoming.ts"
import { toAdminCustomer } from "./AdminCustomersApi.ts"

/** A backend failure, or a refusal that cannot happen without a tenant credential, as 503. */
const unavailable = (error: PersistenceError.PersistenceFailure | AuthError.AuthBackendUnavailable) =>
  Effect.andThen(
    Effect.logError("admin: backend failure", { tag: error._tag }),
    Effect.fail(
      new ServiceUnavailable({ code: error.code, message: "the database is temporarily unavailable" })
    )
  )

/** The operator's requests carry no tenant credential, so the tenancy never refuses one. */
const neverRefused = (error: AuthError.CredentialRefused) => Effect.die(error)

const Cursor = Schema.Struct({ createdAt: Schema.String, id: Ids.CustomerId })
const CursorJson = Schema.fromJsonString(Cursor)

const encodeCursor = (c: { readonly createdAt: DateTime.Utc; readonly id: Ids.CustomerId }) =>
  Buffer.from(
    Schema.encodeSync(CursorJson)({ createdAt: DateTime.formatIso(c.createdAt), id: c.id }),
    "utf8"
  ).toString("base64url")

const decodeCursor = (raw: string) => {
  const decoded = Schema.decodeUnknownResult(CursorJson)(Buffer.from(raw, "base64url").toString("utf8"))
  if (Result.isFailure(decoded)) return undefined
  const at = DateTime.make(decoded.success.createdAt)
  return at._tag === "Some" ? { createdAt: DateTime.toUtc(at.value), id: decoded.success.id } : undefined
}

const badCursor = new BadRequest({
  code: "REQUEST.INVALID",
  message: "invalid query: cursor is not one this API returned",
  field: "cursor"
})

/** The handlers of the `adminCustomers` group. */
export const layer = HttpApiBuilder.group(Api, "adminCustomers", (handlers) =>
  Effect.succeed(
    handlers
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          const { customer, key } = yield* CustomerAdmin.create({
            id: globalThis.crypto.randomUUID() as Ids.CustomerId,
            name: payload.name,
            email: payload.email,
            plan: payload.plan,
            currency: payload.currency,
            taxProfile: payload.taxProfile,
            netDays: payload.netDays,
            billingAddress: payload.billingAddress,
            taxId: payload.taxId
          }).pipe(
            Effect.catchTags({
              AlreadyExists: () =>
                Effect.fail(
                  new Conflict({ code: "CUSTOMER.ALREADY_EXISTS", message: "the customer already exists" })
                ),
              // A new customer has no keys: neither the name nor the plan's limit can refuse its first.
              InvalidKeyName: Effect.die,
              ApiKeyLimitReached: Effect.die,
              TenantAccessDenied: Effect.die,
              AuthenticationFailed: neverRefused,
              UnknownPlan: (e) =>
                Effect.fail(new BadRequest({ code: e.code, message: e.message, field: "plan" })),
              PersistenceFailure: unavailable,
              AuthBackendUnavailable: unavailable
            })
          )
          return {
            customer: toAdminCustomer(customer),
            apiKey: key.key,
            secret: Redacted.value(key.plaintext),
            notice: "Give this key to the customer now: it is shown once and cannot be recovered."
          }
        })
      )
      .handle("list", ({ query }) =>
        Effect.gen(function* () {
          const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
          if (query.cursor !== undefined && after === undefined) return yield* badCursor
          const limit = query.limit ?? 50
          const tenancy = yield* Tenancy.Tenancy
          // One more than the page: whether there is a next page, without a count.
          const found = yield* tenancy
            .runAsWorker(
              CustomerRepo.CustomerRepo.use((r) =>
                r.search({ text: query.q, status: query.status, after, limit: limit + 1 })
              )
            )
            .pipe(Effect.catchTag("PersistenceFailure", unavailable))
          const page = found.slice(0, limit)
          const last = page.at(-1)
          return {
            customers: page.map(toAdminCustomer),
            nextCursor:
              found.length > limit && last !== undefined && last.createdAt !== undefined
                ? encodeCursor({ createdAt: last.createdAt, id: last.id })
                : null
          }
        })
      )
      .handle("get", ({ params }) =>
        CustomerAdmin.find(params.id).pipe(
          Effect.map(toAdminCustomer),
          Effect.catchTags({
            NotFound: () => Effect.fail(notFound("customer")),
            AuthenticationFailed: neverRefused,
            PersistenceFailure: unavailable
          })
        )
      )
      .handle("update", ({ params, payload }) =>
        CustomerAdmin.update(params.id, payload).pipe(
          Effect.map(toAdminCustomer),
          Effect.catchTags({
            NotFound: () => Effect.fail(notFound("customer")),
            TenantAccessDenied: Effect.die,
            AuthenticationFailed: neverRefused,
            PersistenceFailure: unavailable
          })
        )
      )
      .handle("changePlan", ({ params, payload }) =>
        CustomerAdmin.changePlan(params.id, payload.plan, payload.effective).pipe(
          Effect.map(({ customer, effectiveAt, proration }) => ({
            customer: toAdminCustomer(customer),
            effectiveAt,
            proration:
              proration === undefined
                ? null
                : {
                    currency: proration.credit.currency,
                    credit: proration.credit.minor,
                    charge: proration.charge.minor,
                    daysUsed: proration.daysUsed,
                    daysRemaining: proration.daysRemaining
                  }
          })),
          Effect.catchTags({
            NotFound: () => Effect.fail(notFound("customer")),
            PlanUnchanged: (e) => Effect.fail(new Conflict({ code: e.code, message: e.message })),
            UnknownPlan: (e) =>
              Effect.fail(new BadRequest({ code: e.code, message: e.message, field: "plan" })),
            NoPriceBookForCurrency: Effect.die,
            TenantAccessDenied: Effect.die,
            AuthenticationFailed: neverRefused,
            PersistenceFailure: unavailable
          })
        )
      )
      .handle("upcomingInvoice", ({ params }) =>
        Tenancy.Tenancy.use((t) => t.runAs(params.id, Upcoming.preview(params.id))).pipe(
          Effect.catchTags({ AuthenticationFailed: neverRefused, PersistenceFailure: unavailable })
        )
      )
      .handle("suspend", ({ params, payload }) => changeStatus(params.id, "suspend", payload.reason))
      .handle("reactivate", ({ params, payload }) => changeStatus(params.id, "reactivate", payload.reason))
      .handle("close", ({ params, payload }) => changeStatus(params.id, "close", payload.reason))
  )
)

const changeStatus = (
  id: Ids.CustomerId,
  move: "suspend" | "reactivate" | "close",
  reason: string | undefined
) =>
  CustomerAdmin.changeStatus(id, move, reason).pipe(
    Effect.map(toAdminCustomer),
    Effect.catchTags({
      NotFound: () => Effect.fail(notFound("customer")),
      CustomerStatusConflict: (e) => Effect.fail(new Conflict({ code: e.code, message: e.message })),
      TenantAccessDenied: Effect.die,
      AuthenticationFailed: neverRefused,
      PersistenceFailure: unavailable,
      AuthBackendUnavailable: unavailable
    })
  )
