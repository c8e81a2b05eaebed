/** Invoice handlers. Another tenant's invoice id is simply not found: RLS never returns its row. */
import { type Invoice, InvoiceRepo } from "@securebase/core"
import { Effect, Schema } from "effect"
import { HttpApiBuilder, HttpApiSchema } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"
import { asTenant, ownCustomer } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"
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

/** The handlers of the `invoices` group. */
export const layer = (options: { readonly seller?: InvoicePdf.Seller } = {}) =>
  HttpApiBuilder.group(Api, "invoices", (handlers) =>
    Effect.succeed(
      handlers
        .handle("list", ({ query }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const after = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor)
            const limit = query.limit ?? 20
            // One more than the page, to know whether another follows.
            const rows = yield* asTenant(
              identity.customerId,
              InvoiceRepo.InvoiceRepo.use((repo) =>
                repo.listPage(identity.customerId, {
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
        .handle("get", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            return yield* asTenant(identity.customerId, findInvoice(params.id))
          })
        )
        .handle("download", ({ params }) =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            const { invoice, customer } = yield* asTenant(
              identity.customerId,
              Effect.all({
                invoice: findInvoice(params.id),
                customer: ownCustomer(identity.customerId)
              })
            )
            const pdf = yield* Effect.orDie(InvoicePdf.render(invoice, customer, options.seller))
            const name = `${invoice.number ?? `draft-${invoice.id}`}.pdf`
            return HttpApiSchema.withHeaders({
              body: pdf,
              headers: { "content-disposition": `attachment; filename="${name}"` }
            })
          })
        )
    )
  )
