/**
 * Payment handlers. The link is read in the customer's transaction: row-level security shows only
 * the customer's own links, so another tenant's invoice id is not found.
 */
import { InvoiceRepo, PaymentRecords } from "@securebase/core"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { notFound } from "../api/ErrorMapping.ts"
import { asTenant } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

/** The handlers of the `payments` group. */
export const layer = HttpApiBuilder.group(Api, "payments", (handlers) =>
  Effect.succeed(
    handlers.handle("invoicePayment", ({ params }) =>
      Effect.gen(function* () {
        const identity = yield* CurrentIdentity
        const link = yield* asTenant(
          identity.customerId,
          Effect.gen(function* () {
            yield* InvoiceRepo.InvoiceRepo.use((r) => r.findById(params.id)).pipe(
              Effect.catchTag("NotFound", () => Effect.fail(notFound("invoice")))
            )
            return yield* PaymentRecords.PaymentRecords.use((r) => r.invoiceLink(params.id))
          })
        )
        if (Option.isNone(link)) return yield* notFound("payment")
        return {
          invoiceId: link.value.invoiceId,
          provider: link.value.provider,
          providerInvoiceId: link.value.providerInvoiceId,
          state: link.value.state,
          hostedUrl: link.value.hostedUrl
        }
      })
    )
  )
)
