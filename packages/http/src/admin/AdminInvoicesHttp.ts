/**
 * The handlers of `/admin/invoices`. The invoice's customer comes from `InvoiceDirectory`; every
 * action then runs as that customer through the core's operations (`RecordPayment`,
 * `VoidInvoice`, `IssueCreditNote`, `InvoiceResend`), each audited with the operator as actor.
 * This module alone decides the statuses of their errors (see `AdminInvoicesApi`).
 */
import {
  type AuthError,
  CustomerRepo,
  type Ids,
  InvoiceDirectory,
  InvoiceResend,
  IssueCreditNote,
  type PersistenceError,
  Receivables,
  ReceivablesRepo,
  RecordPayment,
  Seller,
  Tenancy,
  VoidInvoice
} from "@securebase/core"
import { DateTime, Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict, ServiceUnavailable, TooManyRequests, Unprocessable } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"
import * as CreditNotePdf from "../invoices/CreditNotePdf.ts"
import type * as InvoicePdf from "../invoices/InvoicePdf.ts"

const unavailable = (error: PersistenceError.PersistenceFailure) =>
  Effect.andThen(
    Effect.logError("admin: backend failure", { operation: error.operation, kind: error.kind }),
    Effect.fail(
      new ServiceUnavailable({ code: error.code, message: "the database is temporarily unavailable" })
    )
  )

/** The operator's requests carry no tenant credential, so the tenancy never refuses one. */
const neverRefused = (error: AuthError.CredentialRefused) => Effect.die(error)

const conflict = (error: { readonly code: string; readonly message: string }) =>
  Effect.fail(new Conflict({ code: error.code, message: error.message }))
const unprocessable = (error: { readonly code: string; readonly message: string }) =>
  Effect.fail(new Unprocessable({ code: error.code, message: error.message }))
const invoiceNotFound = () => Effect.fail(notFound("invoice"))

/** The customer of an invoice, or 404. */
const customerOf = (id: Ids.InvoiceId) =>
  InvoiceDirectory.InvoiceDirectory.use((d) => d.customerOf(id)).pipe(
    Effect.catchTag("PersistenceFailure", unavailable),
    Effect.flatMap(Option.match({ onNone: invoiceNotFound, onSome: Effect.succeed }))
  )

/** The handlers of the `adminInvoices` group. */
export const layer = (options: { readonly seller?: InvoicePdf.Seller } = {}) =>
  HttpApiBuilder.group(Api, "adminInvoices", (handlers) =>
    Effect.map(Seller.CurrentSeller, (configured) =>
      handlers
        .handle("get", ({ params }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            const account = yield* Tenancy.Tenancy.use((t) =>
              t.runAs(
                customerId,
                ReceivablesRepo.ReceivablesRepo.use((r) => r.account(params.id, { lock: false }))
              )
            )
            return Receivables.detail(account)
          }).pipe(
            Effect.catchTags({
              NotFound: invoiceNotFound,
              AuthenticationFailed: neverRefused,
              PersistenceFailure: unavailable
            })
          )
        )
        .handle("recordPayment", ({ params, payload }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            const recorded = yield* RecordPayment.record(customerId, params.id, payload)
            return {
              payment: recorded.payment,
              replayed: recorded.replayed,
              invoice: Receivables.detail(recorded.account)
            }
          }).pipe(
            Effect.catchTags({
              NotFound: invoiceNotFound,
              InvoiceNotOpen: conflict,
              IllegalInvoiceTransition: conflict,
              IdempotencyKeyReused: conflict,
              Overpayment: unprocessable,
              PaymentInFuture: unprocessable,
              AuthenticationFailed: neverRefused,
              PersistenceFailure: unavailable,
              AlreadyExists: Effect.die,
              TenantAccessDenied: Effect.die
            })
          )
        )
        .handle("void", ({ params, payload }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            return Receivables.detail(yield* VoidInvoice.voidInvoice(customerId, params.id, payload.reason))
          }).pipe(
            Effect.catchTags({
              NotFound: invoiceNotFound,
              IllegalInvoiceTransition: conflict,
              InvoiceHasPayments: conflict,
              AuthenticationFailed: neverRefused,
              PersistenceFailure: unavailable,
              AlreadyExists: Effect.die,
              TenantAccessDenied: Effect.die
            })
          )
        )
        .handle("issueCreditNote", ({ params, payload }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            const issued = yield* IssueCreditNote.issue(customerId, params.id, payload)
            return { creditNote: issued.creditNote, invoice: Receivables.detail(issued.account) }
          }).pipe(
            Effect.catchTags({
              NotFound: invoiceNotFound,
              InvoiceNotOpen: conflict,
              IllegalInvoiceTransition: conflict,
              CreditExceedsInvoiced: unprocessable,
              UnknownInvoiceLine: unprocessable,
              AuthenticationFailed: neverRefused,
              PersistenceFailure: unavailable,
              AlreadyExists: Effect.die,
              TenantAccessDenied: Effect.die
            })
          )
        )
        .handle("downloadCreditNote", ({ params }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            const { note, account, customer } = yield* Tenancy.Tenancy.use((t) =>
              t.runAs(
                customerId,
                Effect.all({
                  note: ReceivablesRepo.ReceivablesRepo.use((r) => r.creditNoteById(params.creditNoteId)),
                  account: ReceivablesRepo.ReceivablesRepo.use((r) => r.account(params.id, { lock: false })),
                  customer: CustomerRepo.CustomerRepo.use((r) => r.findById(customerId))
                })
              )
            ).pipe(Effect.catchTag("NotFound", (e) => Effect.fail(notFound(e.entity.replace("_", " ")))))
            return yield* CreditNotePdf.download(
              note,
              account.invoice,
              customer,
              options.seller ?? configured
            )
          }).pipe(Effect.catchTags({ AuthenticationFailed: neverRefused, PersistenceFailure: unavailable }))
        )
        .handle("resend", ({ params }) =>
          Effect.gen(function* () {
            const customerId = yield* customerOf(params.id)
            const at = yield* DateTime.now
            // The tenant's resend (`InvoiceResend`, portal side): the same e-mail, the same hourly limit.
            const receipt = yield* Tenancy.Tenancy.use((t) =>
              t.runAs(customerId, InvoiceResend.resend(params.id, { at }))
            )
            return {
              notificationId: receipt.notificationId,
              recipient: receipt.recipient,
              remainingThisHour: receipt.remaining
            }
          }).pipe(
            Effect.catchTags({
              NotFound: invoiceNotFound,
              InvoiceNotSendable: conflict,
              ResendLimited: (e) =>
                Effect.fail(
                  new TooManyRequests({
                    code: e.code,
                    message: `this invoice's e-mail was sent again ${e.limit} times this hour; retry after ${e.retryAfterSeconds} s`,
                    retryAfterSeconds: e.retryAfterSeconds
                  })
                ),
              AuthenticationFailed: neverRefused,
              PersistenceFailure: unavailable,
              TenantAccessDenied: Effect.die
            })
          )
        )
    )
  )
