/** Invoice handlers. Another tenant's invoice id is simply not found: RLS never returns its row. */
import {
  type Invoice,
  InvoiceRepo,
  InvoiceResend,
  InvoiceView,
  PaymentCollection,
  Receivables,
  ReceivablesRepo,
  Seller
} from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { HttpApiBuilder, HttpApiSchema } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest, Conflict, TooManyRequests, Unauthorized } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"
import { asTenant, ownCustomer, tenantFailures } from "../api/Persistence.ts"
import * as Upcoming from "../api/Upcoming.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"
import * as CreditNotePdf from "./CreditNotePdf.ts"
import * as InvoicePdf from "./InvoicePdf.ts"

// The cursor is the last row's position, base64url JSON `{"period","id"}`; anything else is a 400.
const encodeCursor = (invoice: InvoiceRepo.InvoiceSummary) =>
  Buffer.from(JSON.stringify({ period: invoice.period, id: invoice.id })).toString("base64url")
const decodeCursor = (cursor: string) =>
  Effect.try({
    try: () => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
    catch: () => undefined
  }).pipe(
    Effect.flatMap(Schema.decodeUnknownEffect(InvoiceRepo.ListPosition)),
    Effect.mapError(
      () => new BadRequest({ code: "REQUEST.INVALID", message: "invalid cursor", field: "cursor" })
    )
  )

const findInvoice = (id: Invoice.Invoice["id"]) =>
  InvoiceRepo.InvoiceRepo.use((repo) => repo.findById(id)).pipe(
    Effect.catchTag("NotFound", () => Effect.fail(notFound("invoice")))
  )

/**
 * The handlers of the `invoices` group. The PDF's seller is `options.seller`, else the fiber's
 * {@link Seller.CurrentSeller} when the layer is built (the configured one), so the download and the e-mailed copy agree.
 */
export const layer = (options: { readonly seller?: InvoicePdf.Seller } = {}) =>
  HttpApiBuilder.group(Api, "invoices", (handlers) =>
    Effect.map(Seller.CurrentSeller, (configured) =>
      handlers
        .handle("list", ({ query }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const after = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor)
            const limit = query.limit ?? 20
            // One more than the page, to know whether another follows. A tenant read of its own:
            // the credential check and the page in one round trip (see `InvoiceRepo.listPageAs`).
            const rows = yield* tenantFailures(
              InvoiceRepo.InvoiceRepo.use((repo) =>
                repo.listPageAs(identity.customerId, {
                  limit: limit + 1,
                  ...(query.status === undefined ? {} : { status: query.status }),
                  ...(query.period === undefined ? {} : { period: query.period }),
                  ...(after === undefined ? {} : { after })
                })
              )
            )
            const page = rows.slice(0, limit)
            return {
              data: page,
              nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null
            }
          })
        )
        .handle("upcoming", () =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            return yield* asTenant(identity.customerId, Upcoming.preview(identity.customerId))
          })
        )
        .handle("get", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const account = yield* asTenant(
              identity.customerId,
              ReceivablesRepo.ReceivablesRepo.use((r) => r.account(params.id, { lock: false })).pipe(
                Effect.catchTag("NotFound", () => Effect.fail(notFound("invoice")))
              )
            )
            return Receivables.detail(account)
          })
        )
        .handle("resend", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const at = yield* DateTime.now
            const receipt = yield* asTenant(
              identity.customerId,
              InvoiceResend.resend(params.id, { at }).pipe(
                Effect.catchTags({
                  // The invoice, or (for the customer row) the caller itself, is gone.
                  NotFound: (e) =>
                    Effect.fail(
                      e.entity === "customer"
                        ? new Unauthorized({
                            code: "AUTH.CUSTOMER_INACTIVE",
                            message: "the account no longer exists"
                          })
                        : notFound("invoice")
                    ),
                  InvoiceNotSendable: (e) =>
                    Effect.fail(
                      new Conflict({
                        code: e.code,
                        message: `a ${e.status} invoice has no e-mail to send again`
                      })
                    ),
                  ResendLimited: (e) =>
                    Effect.fail(
                      new TooManyRequests({
                        code: e.code,
                        message: `this invoice's e-mail was sent again ${e.limit} times this hour; retry after ${e.retryAfterSeconds} s`,
                        retryAfterSeconds: e.retryAfterSeconds
                      })
                    ),
                  // Row-level security refusing the tenant's own write is a defect, not the client's doing.
                  TenantAccessDenied: (e) => Effect.die(e)
                })
              )
            )
            return {
              notificationId: receipt.notificationId,
              recipient: receipt.recipient,
              remainingThisHour: receipt.remaining
            }
          })
        )
        .handle("download", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const collection = yield* PaymentCollection.PaymentCollection
            const { invoice, customer, payUrl } = yield* asTenant(
              identity.customerId,
              Effect.all({
                invoice: findInvoice(params.id),
                customer: ownCustomer(identity.customerId),
                // The hosted payment page as stored now (online collection, once pushed).
                payUrl: collection.payUrl(params.id)
              })
            )
            const pdf = yield* Effect.orDie(
              InvoicePdf.render(invoice, InvoiceView.buyerOf(customer), {
                seller: options.seller ?? configured,
                payUrl
              })
            )
            const name = InvoicePdf.fileName(invoice)
            return HttpApiSchema.withHeaders({
              body: pdf,
              headers: { "content-disposition": `attachment; filename="${name}"` }
            })
          })
        )
        .handle("downloadCreditNote", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const { note, account, customer } = yield* asTenant(
              identity.customerId,
              // The invoice first: another tenant's is unknown, whatever the note.
              Effect.all({
                account: ReceivablesRepo.ReceivablesRepo.use((r) => r.account(params.id, { lock: false })),
                note: ReceivablesRepo.ReceivablesRepo.use((r) => r.creditNoteById(params.creditNoteId)),
                customer: ownCustomer(identity.customerId)
              }).pipe(
                // Row-level security hides another tenant's invoice and notes: unknown, like a wrong id.
                Effect.catchTag("NotFound", (e) =>
                  Effect.fail(notFound(e.entity === "invoice" ? "invoice" : "credit note"))
                )
              )
            )
            return yield* CreditNotePdf.download(
              note,
              account.invoice,
              customer,
              options.seller ?? configured
            )
          })
        )
    )
  )
