/** `GET /account`: the caller's own customer row (through RLS) and its credential's scopes. */
import { PaymentCollection } from "@securebase/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { asTenant, ownCustomer } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

/** The handlers of the `account` group. */
export const layer = HttpApiBuilder.group(Api, "account", (handlers) =>
  Effect.succeed(
    handlers.handle("get", () =>
      Effect.gen(function* () {
        const identity = yield* CurrentIdentity
        const customer = yield* asTenant(identity.customerId, ownCustomer(identity.customerId))
        return {
          customerId: customer.id,
          name: customer.name,
          email: customer.email,
          plan: customer.plan,
          status: customer.status,
          createdAt: customer.createdAt ?? null,
          keyId: identity.keyId,
          scopes: identity.scopes,
          paymentsOnline: PaymentCollection.isOnline(yield* PaymentCollection.PaymentCollection),
          via: identity.via
        }
      })
    )
  )
)
