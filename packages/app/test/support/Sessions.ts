/** Session tokens for tests: one signed with the server's (development) key whose 24 hours have passed. */
import { HmacSessionTokens } from "@securebase/adapters"
import { type Ids, SessionTokens, type Tier } from "@securebase/core"
import { Duration, Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { developmentSigningKey } from "../../src/Config.ts"

/** A session token for `customer`, signed by the test server's key, that expired an hour ago. */
export const expiredSessionToken = (customer: { readonly id: Ids.CustomerId; readonly tier: Tier.Tier }) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now() - Duration.toMillis(Duration.hours(25)))
    const tokens = yield* SessionTokens.SessionTokens
    const issued = yield* tokens.issue({
      customerId: customer.id,
      tier: customer.tier,
      scopes: ["invoices:read"],
      keyId: "abcdefghijklmnop" as any,
      mode: "live"
    })
    return issued.token
  }).pipe(
    Effect.provide(
      HmacSessionTokens.layer({
        issuer: "securebase",
        audience: "securebase-api",
        keys: [
          {
            kid: developmentSigningKey.kid,
            secret: Redacted.make(new TextEncoder().encode(Redacted.value(developmentSigningKey.secret)))
          }
        ]
      })
    ),
    Effect.provide(TestClock.layer())
  )
