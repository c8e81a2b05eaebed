/**
 * Session tokens for tests: the test server is started with a signing key drawn for this test
 * process (`signingEnv`), so a test can sign a token the server accepts, such as one whose 24
 * hours have passed.
 */
import { randomBytes } from "node:crypto"
import { HmacSessionTokens } from "@securebase/adapters"
import { type Ids, type PriceBook, SessionTokens } from "@securebase/core"
import { Duration, Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"

const secret = randomBytes(32).toString("base64url")

/** The environment that gives a test server this process's signing key. */
export const signingEnv = { JWT_SIGNING_KEYS: `test-1:${secret}` }

/** A session token for `customer`, signed with `signingEnv`'s key, that expired an hour ago. */
export const expiredSessionToken = (customer: {
  readonly id: Ids.CustomerId
  readonly plan: PriceBook.PlanCode
}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now() - Duration.toMillis(Duration.hours(25)))
    const tokens = yield* SessionTokens.SessionTokens
    const issued = yield* tokens.issue({
      customerId: customer.id,
      plan: customer.plan,
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
        keys: [{ kid: "test-1", secret: Redacted.make(new TextEncoder().encode(secret)) }]
      })
    ),
    Effect.provide(TestClock.layer())
  )
