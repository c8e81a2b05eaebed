/**
 * The authenticator over the real in-memory adapters: keys and sessions, every kind of bad
 * credential refused with its typed error, revocation at once, throttling, the plan's key limit,
 * and the property that a key authenticates as exactly its creator.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  type ApiKey,
  ApiKeyStore,
  type AuthError,
  Authenticator,
  Identity,
  PriceBook
} from "@securebase/core"
import { Arbitrary, DateTime, Duration, Effect, Layer, Option, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { MemoryAuthAttempts, MemoryCustomerDirectory } from "../../src/index.ts"
import { authLayer, craft, customerId, ports, secretOf } from "./fixtures.ts"

const client = "203.0.113.7"

/** Registers an active customer. */
const customer = (n: number, plan: PriceBook.PlanCode = "standard") =>
  Effect.flatMap(MemoryCustomerDirectory.MemoryCustomers, (c) =>
    c.upsert({ id: customerId(n), plan, status: "active" })
  ).pipe(Effect.as(customerId(n)))

/** Creates a key for customer `n` and returns it with its plaintext. */
const newKey = (n: number, extra?: Partial<Authenticator.NewKey>) =>
  Effect.flatMap(Authenticator.Authenticator, (auth) =>
    auth.createKey({ customerId: customerId(n), name: "ci", scopes: ["invoices:read"], ...extra })
  )

const code = <A, E extends { readonly code: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (e) => e.code)

const withAuth = <A, E>(effect: Effect.Effect<A, E, any>) => effect.pipe(Effect.provide(authLayer()))

/** The key with its secret part replaced. */
const withSecret = (key: string, secret: string) => key.replace(/_[a-z2-7]{52}$/, `_${secret}`)

describe("Authenticator: API keys", () => {
  it.effect("a created key is shown once, listed without secrets, and authenticates as its customer", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1, "fintech")
        const created = yield* newKey(1, { scopes: ["invoices:read", "usage:write"] })
        const plaintext = Redacted.value(created.plaintext)
        assert.match(plaintext, /^sb_live_[a-z2-7]{16}_[a-z2-7]{52}$/)
        assert.strictEqual(created.key.prefix, `sb_live_${created.key.id}`)
        assert.notInclude(String(created.plaintext), plaintext.slice(-52), "redacted when printed")

        const listed = yield* auth.listKeys(customerId(1))
        assert.strictEqual(listed.length, 1)
        const json = JSON.stringify(listed)
        assert.notInclude(json, plaintext.slice(-52))
        assert.notInclude(json, "secretHash")

        const identity = yield* auth.authenticate(plaintext, client)
        assert.deepStrictEqual(identity, {
          customerId: customerId(1),
          plan: "fintech",
          keyId: created.key.id,
          mode: "live",
          scopes: ["invoices:read", "usage:write"],
          via: "api_key"
        })
        yield* Identity.requireScope(identity, "usage:write")
        assert.strictEqual(
          (yield* Effect.flip(Identity.requireScope(identity, "api_keys:write"))).code,
          "AUTH.SCOPE_MISSING"
        )
      })
    )
  )

  it.effect("test-mode keys carry sb_test_ and do not pass as live", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const { plaintext } = yield* newKey(1, { mode: "test" })
        const key = Redacted.value(plaintext)
        assert.isTrue(key.startsWith("sb_test_"))
        assert.strictEqual((yield* auth.authenticate(key, client)).mode, "test")
        assert.strictEqual(
          yield* code(auth.authenticate(key.replace("sb_test_", "sb_live_"), client)),
          "AUTH.INVALID_KEY"
        )
      })
    )
  )

  it.effect("bad keys are refused with their typed error", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const key = Redacted.value((yield* newKey(1)).plaintext)
        const cases: Array<[string, string]> = [
          ["Bearer abc", "AUTH.WRONG_KEY_PREFIX"],
          ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "AUTH.WRONG_KEY_PREFIX"],
          ["sb_live_short_secret", "AUTH.MALFORMED_KEY"],
          [`${key}x`, "AUTH.MALFORMED_KEY"],
          [key.toUpperCase().replace("SB_LIVE_", "sb_live_"), "AUTH.MALFORMED_KEY"],
          // A well-formed key whose id does not exist.
          [`sb_live_${"a".repeat(16)}_${"b".repeat(52)}`, "AUTH.INVALID_KEY"],
          // The right key id with a wrong secret.
          [withSecret(key, "c".repeat(52)), "AUTH.INVALID_KEY"]
        ]
        for (const [presented, expected] of cases)
          assert.strictEqual(
            yield* code(auth.authenticate(presented, `client-${expected}-${presented.length}`)),
            expected,
            presented
          )
        // The right key still works (and works from the cache afterwards).
        yield* auth.authenticate(key, client)
        yield* auth.authenticate(key, client)
        // A wrong secret is refused on the warm path too.
        assert.strictEqual(
          yield* code(auth.authenticate(withSecret(key, "d".repeat(52)), "other")),
          "AUTH.INVALID_KEY"
        )
      })
    )
  )

  it.effect("an expired key → KeyExpired, cached or not", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const expiresAt = DateTime.makeUnsafe(Duration.toMillis(Duration.hours(1)))
        const cached = Redacted.value((yield* newKey(1, { expiresAt })).plaintext)
        const cold = Redacted.value((yield* newKey(1, { expiresAt })).plaintext)
        yield* auth.authenticate(cached, client)
        yield* TestClock.adjust(Duration.hours(1))
        assert.strictEqual(yield* code(auth.authenticate(cached, client)), "AUTH.KEY_EXPIRED")
        assert.strictEqual(yield* code(auth.authenticate(cold, client)), "AUTH.KEY_EXPIRED")
      })
    )
  )

  it.effect("a key of a deleted or suspended customer → CustomerInactive", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        const customers = yield* MemoryCustomerDirectory.MemoryCustomers
        yield* customer(1)
        yield* customer(2)
        const deleted = Redacted.value((yield* newKey(1)).plaintext)
        const suspended = Redacted.value((yield* newKey(2)).plaintext)
        yield* customers.remove(customerId(1))
        yield* customers.upsert({ id: customerId(2), plan: "standard", status: "suspended" })
        assert.strictEqual(yield* code(auth.authenticate(deleted, client)), "AUTH.CUSTOMER_INACTIVE")
        assert.strictEqual(yield* code(auth.exchange(suspended, client)), "AUTH.CUSTOMER_INACTIVE")
        assert.strictEqual(
          yield* code(auth.createKey({ customerId: customerId(1), name: "x", scopes: ["invoices:read"] })),
          "AUTH.CUSTOMER_INACTIVE"
        )
      })
    )
  )

  it.effect("the plan limits active keys; revoked and expired keys free a slot", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1, "standard")
        const limit = PriceBook.referenceCard.plans.standard.entitlements.maxApiKeys
        const keys = []
        for (let i = 0; i < limit - 1; i++) keys.push(yield* newKey(1))
        yield* newKey(1, { expiresAt: DateTime.makeUnsafe(60_000) })
        const refused = yield* Effect.flip(newKey(1))
        assert.strictEqual(refused.code, "API_KEY.LIMIT_REACHED")
        assert.deepInclude(refused, { plan: "standard", limit })
        yield* auth.revokeKey(customerId(1), keys[0]!.key.id)
        yield* newKey(1)
        assert.strictEqual((yield* Effect.flip(newKey(1))).code, "API_KEY.LIMIT_REACHED")
        yield* TestClock.adjust(Duration.minutes(1))
        yield* newKey(1)
      })
    )
  )

  it.effect("a customer cannot revoke another's key", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        yield* customer(2)
        const created = yield* newKey(1)
        assert.strictEqual(yield* code(auth.revokeKey(customerId(2), created.key.id)), "API_KEY.NOT_FOUND")
        yield* auth.authenticate(Redacted.value(created.plaintext), client)
      })
    )
  )

  it.effect("lastUsedAt is recorded, at most once a minute per key", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const created = yield* newKey(1)
        const key = Redacted.value(created.plaintext)
        const lastUsed = Effect.map(auth.listKeys(customerId(1)), (ks) => ks[0]!.lastUsedAt)
        assert.isUndefined(yield* lastUsed)
        yield* TestClock.adjust(Duration.seconds(10))
        yield* auth.authenticate(key, client)
        assert.strictEqual(DateTime.toEpochMillis((yield* lastUsed)!), 10_000)
        yield* TestClock.adjust(Duration.seconds(30))
        yield* auth.authenticate(key, client)
        assert.strictEqual(DateTime.toEpochMillis((yield* lastUsed)!), 10_000)
        yield* TestClock.adjust(Duration.seconds(30))
        yield* auth.authenticate(key, client)
        assert.strictEqual(DateTime.toEpochMillis((yield* lastUsed)!), 70_000)
      })
    )
  )
})

describe("Authenticator: sessions", () => {
  it.effect("a key is exchanged for a 24 h session that verifies to the same identity", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1, "healthcare")
        const created = yield* newKey(1, { scopes: ["compliance:read"] })
        const { token, claims } = yield* auth.exchange(Redacted.value(created.plaintext), client)
        assert.strictEqual(claims.exp - claims.iat, 24 * 3600)
        const identity = yield* auth.verifySession(token, client)
        assert.deepStrictEqual(identity, {
          customerId: customerId(1),
          plan: "healthcare",
          keyId: created.key.id,
          mode: "live",
          scopes: ["compliance:read"],
          via: "session",
          sessionId: claims.jti
        })
      })
    )
  )

  it.effect("bad session tokens are refused with their typed error", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const { token, claims } = yield* auth.exchange(Redacted.value((yield* newKey(1)).plaintext), client)
        const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")))
        const header = { alg: "HS256", typ: "JWT", kid: "k1" }
        const enc = (o: object) =>
          btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
        const cases: Array<[string, string]> = [
          [craft(header, payload, Redacted.value(secretOf(9))), "AUTH.BAD_SIGNATURE"],
          [`${enc({ alg: "none", typ: "JWT" })}.${enc(payload)}.`, "AUTH.BAD_ALGORITHM"],
          [craft(header, { ...payload, nbf: claims.iat + 600 }), "AUTH.TOKEN_NOT_YET_VALID"],
          [craft(header, { ...payload, aud: "someone-else" }), "AUTH.WRONG_AUDIENCE"],
          [craft(header, { ...payload, iss: "https://evil.example" }), "AUTH.WRONG_ISSUER"],
          ["eyJhbGciOiJIUzI1NiJ9.garbage", "AUTH.MALFORMED_TOKEN"],
          [Redacted.value((yield* newKey(1)).plaintext), "AUTH.MALFORMED_TOKEN"]
        ]
        for (const [bad, expected] of cases)
          assert.strictEqual(yield* code(auth.verifySession(bad, `c-${expected}`)), expected, expected)
        yield* TestClock.adjust(Duration.hours(24))
        assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.TOKEN_EXPIRED")
      })
    )
  )

  it.effect("a logged-out session → SessionRevoked; the key's other sessions live on", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const key = Redacted.value((yield* newKey(1)).plaintext)
        const a = yield* auth.exchange(key, client)
        const b = yield* auth.exchange(key, client)
        yield* auth.revokeSession({
          sessionId: a.claims.jti,
          customerId: a.claims.sub,
          keyId: a.claims.keyId
        })
        assert.strictEqual(yield* code(auth.verifySession(a.token, client)), "AUTH.SESSION_REVOKED")
        yield* auth.verifySession(b.token, client)
      })
    )
  )
})

describe("Authenticator: revocation takes effect at once", () => {
  it.effect("after revoking a key, neither its cached entry nor its issued sessions work", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const created = yield* newKey(1)
        const key = Redacted.value(created.plaintext)
        // Warm the cache and hand out a session.
        yield* auth.authenticate(key, client)
        const { token } = yield* auth.exchange(key, client)
        yield* auth.verifySession(token, client)

        const revoked = yield* auth.revokeKey(customerId(1), created.key.id)
        assert.isDefined(revoked.revokedAt)
        assert.strictEqual(yield* code(auth.authenticate(key, client)), "AUTH.KEY_REVOKED")
        assert.strictEqual(yield* code(auth.exchange(key, client)), "AUTH.KEY_REVOKED")
        assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.SESSION_REVOKED")
        // And still, hours later, within the session's and the cache's lifetimes.
        yield* TestClock.adjust(Duration.hours(3))
        assert.strictEqual(yield* code(auth.authenticate(key, client)), "AUTH.KEY_REVOKED")
        assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.SESSION_REVOKED")
      })
    )
  )

  it.effect(
    "a key revoked elsewhere was exchanged on the cache's word: exchange now always asks the store",
    () =>
      withAuth(
        Effect.gen(function* () {
          const auth = yield* Authenticator.Authenticator
          const store = yield* ApiKeyStore.ApiKeyStore
          const customers = yield* MemoryCustomerDirectory.MemoryCustomers
          yield* customer(1)
          yield* customer(2)
          const revoked = yield* newKey(1)
          const suspended = yield* newKey(2)
          // Both cached here; then another instance revokes one key and suspends the other customer,
          // which this instance's cache does not hear about.
          yield* auth.authenticate(Redacted.value(revoked.plaintext), client)
          yield* auth.authenticate(Redacted.value(suspended.plaintext), client)
          const now = yield* DateTime.now
          yield* store.revoke(customerId(1), revoked.key.id, now)
          yield* customers.upsert({ id: customerId(2), plan: "standard", status: "suspended" })
          // The cache still answers for plain requests (the tenant transaction re-checks those) ...
          yield* auth.authenticate(Redacted.value(revoked.plaintext), client)
          // ... but a 24-hour session is issued only on the store's word.
          assert.strictEqual(
            yield* code(auth.exchange(Redacted.value(revoked.plaintext), client)),
            "AUTH.KEY_REVOKED"
          )
          assert.strictEqual(
            yield* code(auth.exchange(Redacted.value(suspended.plaintext), client)),
            "AUTH.CUSTOMER_INACTIVE"
          )
        })
      )
  )

  it.effect("cutting off a customer stops cached keys and sessions at once; reinstated, it works again", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        const customers = yield* MemoryCustomerDirectory.MemoryCustomers
        yield* customer(1)
        const key = Redacted.value((yield* newKey(1)).plaintext)
        yield* auth.authenticate(key, client)
        const { token } = yield* auth.exchange(key, client)

        yield* customers.upsert({ id: customerId(1), plan: "standard", status: "suspended" })
        yield* auth.cutOffCustomer(customerId(1))
        assert.strictEqual(yield* code(auth.authenticate(key, client)), "AUTH.CUSTOMER_INACTIVE")
        assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.SESSION_REVOKED")

        yield* TestClock.adjust(Duration.seconds(1))
        yield* customers.upsert({ id: customerId(1), plan: "standard", status: "active" })
        yield* auth.authenticate(key, client)
        const again = yield* auth.exchange(key, client)
        yield* auth.verifySession(again.token, client)
        assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.SESSION_REVOKED")
      })
    )
  )
})

describe("Authenticator: throttling and the record of attempts", () => {
  const policy = {
    freeFailures: 3,
    maxFailures: 6,
    windowMillis: 600_000,
    baseDelayMillis: 1_000,
    maxDelayMillis: 4_000
  }

  const throttled = <A, E>(effect: Effect.Effect<A, E, any>) =>
    effect.pipe(Effect.provide(authLayer({ policy })))
  const unknownKey = (c: string) => `sb_live_${c.repeat(16)}_${"b".repeat(52)}`

  it.effect(
    "NAT: another client's failures from the same address never refuse a valid key, warm or cold (regression: failures counted per address locked out every key behind it)",
    () =>
      throttled(
        Effect.gen(function* () {
          const auth = yield* Authenticator.Authenticator
          yield* customer(1)
          const warm = Redacted.value((yield* newKey(1)).plaintext)
          const cold = Redacted.value((yield* newKey(1)).plaintext)
          const { token } = yield* auth.exchange(warm, "198.51.100.1")
          // The attacker shares the victims' address: wrong secrets for both key ids, unknown
          // key ids, malformed keys and forged tokens, far past every allowance.
          for (let i = 0; i < 10; i++) {
            yield* Effect.flip(auth.authenticate(withSecret(warm, "e".repeat(52)), client))
            yield* Effect.flip(auth.authenticate(withSecret(cold, "e".repeat(52)), client))
            yield* Effect.flip(auth.authenticate(unknownKey("a"), client))
            yield* Effect.flip(auth.authenticate(`sb_live_${i}`, client))
            yield* Effect.flip(auth.verifySession(`forged.${i}`, client))
          }
          assert.strictEqual(
            yield* code(auth.authenticate(withSecret(warm, "e".repeat(52)), client)),
            "AUTH.TOO_MANY_ATTEMPTS"
          )
          assert.strictEqual(
            yield* code(auth.authenticate(unknownKey("a"), client)),
            "AUTH.TOO_MANY_ATTEMPTS"
          )
          assert.strictEqual(yield* code(auth.verifySession("forged", client)), "AUTH.TOO_MANY_ATTEMPTS")
          // The victims, from the same address, with valid credentials: a cached key, a key this
          // process has never seen (the store lookup), and a session.
          assert.strictEqual((yield* auth.authenticate(warm, client)).customerId, customerId(1))
          assert.strictEqual((yield* auth.authenticate(cold, client)).customerId, customerId(1))
          assert.strictEqual((yield* auth.verifySession(token, client)).customerId, customerId(1))
          // A neighbour's own key, never attacked, is not even slowed on a mistake.
          const neighbour = Redacted.value((yield* newKey(1)).plaintext)
          assert.strictEqual(
            yield* code(auth.authenticate(withSecret(neighbour, "f".repeat(52)), client)),
            "AUTH.INVALID_KEY"
          )
        })
      )
  )

  it.effect(
    "a mistyped key, then the right one, works at once (regression: the developer's own failures locked their address out)",
    () =>
      throttled(
        Effect.gen(function* () {
          const auth = yield* Authenticator.Authenticator
          yield* customer(1)
          const key = Redacted.value((yield* newKey(1)).plaintext)
          const typo = withSecret(key, "e".repeat(52))
          const codes: Array<string> = []
          for (let i = 0; i < 5; i++) codes.push(yield* code(auth.authenticate(typo, client)))
          assert.deepStrictEqual(codes, [
            "AUTH.INVALID_KEY",
            "AUTH.INVALID_KEY",
            "AUTH.INVALID_KEY",
            "AUTH.TOO_MANY_ATTEMPTS",
            "AUTH.TOO_MANY_ATTEMPTS"
          ])
          assert.strictEqual((yield* auth.authenticate(key, client)).customerId, customerId(1))
          // A typo in the key id (an id that does not exist), then the right key.
          assert.strictEqual(yield* code(auth.authenticate(unknownKey("c"), client)), "AUTH.INVALID_KEY")
          assert.strictEqual((yield* auth.exchange(key, client)).claims.sub, customerId(1))
        })
      )
  )

  it.effect("failures in one bucket wait, doubling, then are refused for the rest of the window", () =>
    throttled(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        yield* customer(1)
        const key = Redacted.value((yield* newKey(1)).plaintext)
        const wrong = withSecret(key, "e".repeat(52))
        for (let i = 0; i < 3; i++)
          assert.strictEqual(yield* code(auth.authenticate(wrong, client)), "AUTH.INVALID_KEY")
        const refused = yield* Effect.flip(auth.authenticate(wrong, client))
        assert.strictEqual(refused.code, "AUTH.TOO_MANY_ATTEMPTS")
        assert.strictEqual((refused as AuthError.TooManyAttempts).retryAfterMillis, 1_000)
        // Another address is another bucket.
        assert.strictEqual(yield* code(auth.authenticate(wrong, "198.51.100.1")), "AUTH.INVALID_KEY")
        yield* TestClock.adjust(Duration.seconds(1))
        assert.strictEqual(yield* code(auth.authenticate(wrong, client)), "AUTH.INVALID_KEY")
        assert.strictEqual(
          ((yield* Effect.flip(auth.authenticate(wrong, client))) as AuthError.TooManyAttempts)
            .retryAfterMillis,
          2_000
        )
        yield* TestClock.adjust(Duration.seconds(2))
        assert.strictEqual(yield* code(auth.authenticate(wrong, client)), "AUTH.INVALID_KEY")
        yield* TestClock.adjust(Duration.seconds(4))
        assert.strictEqual(yield* code(auth.authenticate(wrong, client)), "AUTH.INVALID_KEY")
        // Six failures: refused until the window (10 min from the first) ends.
        yield* TestClock.adjust(Duration.seconds(4))
        const locked = yield* Effect.flip(auth.authenticate(wrong, client))
        assert.strictEqual(locked.code, "AUTH.TOO_MANY_ATTEMPTS")
        assert.strictEqual((locked as AuthError.TooManyAttempts).retryAfterMillis, 600_000 - 11_000)
        // The right key is never refused, locked bucket or not.
        yield* auth.authenticate(key, client)
        yield* TestClock.adjust(Duration.millis(600_000 - 11_000))
        assert.strictEqual(yield* code(auth.authenticate(wrong, client)), "AUTH.INVALID_KEY")
      })
    )
  )

  it.effect("a key id found unknown is not looked up again from that address while it waits", () =>
    Effect.gen(function* () {
      let lookups = 0
      const counting = Layer.effect(
        ApiKeyStore.ApiKeyStore,
        Effect.map(ApiKeyStore.ApiKeyStore, (store) =>
          ApiKeyStore.ApiKeyStore.of({
            ...store,
            findById: (id) =>
              Effect.andThen(
                Effect.sync(() => lookups++),
                store.findById(id)
              )
          })
        )
      )
      const auth = yield* Authenticator.Authenticator.make().pipe(
        Effect.provide(counting.pipe(Layer.provideMerge(ports({ policy }))))
      )
      const codes: Array<string> = []
      for (let i = 0; i < 5; i++) codes.push(yield* code(auth.authenticate(unknownKey("a"), client)))
      assert.deepStrictEqual(codes.slice(0, 3), ["AUTH.INVALID_KEY", "AUTH.INVALID_KEY", "AUTH.INVALID_KEY"])
      assert.deepStrictEqual(codes.slice(3), ["AUTH.TOO_MANY_ATTEMPTS", "AUTH.TOO_MANY_ATTEMPTS"])
      assert.strictEqual(lookups, 3, "the refused attempts never reached the key store")
    })
  )

  it.effect(
    "failures of a caller who proved the secret (a revoked key, a revoked session) are not counted",
    () =>
      throttled(
        Effect.gen(function* () {
          const auth = yield* Authenticator.Authenticator
          yield* customer(1)
          const created = yield* newKey(1)
          const key = Redacted.value(created.plaintext)
          const { token } = yield* auth.exchange(key, client)
          yield* auth.revokeKey(customerId(1), created.key.id)
          for (let i = 0; i < 8; i++) {
            assert.strictEqual(yield* code(auth.authenticate(key, client)), "AUTH.KEY_REVOKED")
            assert.strictEqual(yield* code(auth.verifySession(token, client)), "AUTH.SESSION_REVOKED")
          }
        })
      )
  )

  it.effect("every attempt is recorded with its reason code, never the secret or the token", () =>
    withAuth(
      Effect.gen(function* () {
        const auth = yield* Authenticator.Authenticator
        const attempts = yield* MemoryAuthAttempts.MemoryAttempts
        yield* customer(1)
        const created = yield* newKey(1)
        const key = Redacted.value(created.plaintext)
        yield* auth.authenticate(key, client)
        yield* Effect.flip(auth.authenticate(withSecret(key, "f".repeat(52)), client))
        const { token } = yield* auth.exchange(key, client)
        yield* auth.verifySession(token, client)
        const revoked = yield* newKey(1)
        yield* auth.revokeKey(customerId(1), revoked.key.id)
        yield* Effect.flip(auth.authenticate(Redacted.value(revoked.plaintext), client))
        const all = yield* attempts.all
        assert.deepStrictEqual(
          all.map((a) => [a.method, a.outcome, a.code, a.keyId, a.customerId]),
          [
            ["api_key", "success", undefined, created.key.id, customerId(1)],
            ["api_key", "failure", "AUTH.INVALID_KEY", created.key.id, undefined],
            ["exchange", "success", undefined, created.key.id, customerId(1)],
            ["session", "success", undefined, created.key.id, customerId(1)],
            // Once the secret is proven the customer is known, and its trail shows the refusal.
            ["api_key", "failure", "AUTH.KEY_REVOKED", revoked.key.id, customerId(1)]
          ]
        )
        const json = JSON.stringify(all)
        assert.notInclude(json, key.slice(-52))
        assert.notInclude(json, "f".repeat(52))
        assert.notInclude(json, token.split(".")[2]!)
      })
    )
  )
})

const World = Schema.Array(
  Schema.Struct({
    // The plans of the shipped book (whose entitlements cap each customer's keys).
    plan: Schema.Literals(["standard", "fintech", "healthcare", "gov-federal"]),
    keys: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 3 })),
    mode: Schema.Literals(["live", "test"])
  })
).check(Schema.isMinLength(2), Schema.isMaxLength(5))

describe("Authenticator: laws", () => {
  it.effect.prop(
    "a key authenticates as exactly the customer that created it, and a spliced key as no one",
    { world: Arbitrary.schema(World) },
    ({ world }) =>
      withAuth(
        Effect.gen(function* () {
          const auth = yield* Authenticator.Authenticator
          const issued: Array<{ owner: number; key: string; id: ApiKey.ApiKeyId }> = []
          for (const [n, c] of world.entries()) {
            yield* customer(n, c.plan)
            for (let k = 0; k < c.keys; k++) {
              const created = yield* newKey(n, { mode: c.mode })
              issued.push({ owner: n, key: Redacted.value(created.plaintext), id: created.key.id })
            }
          }
          for (const { owner, key, id } of issued) {
            // Twice: the cold path (store) and the warm one (cache) must agree.
            for (const _ of [1, 2]) {
              const identity = yield* auth.authenticate(key, client)
              assert.strictEqual(identity.customerId, customerId(owner))
              assert.strictEqual(identity.keyId, id)
              assert.strictEqual(identity.plan, world[owner]!.plan)
            }
            const session = yield* auth.exchange(key, client)
            assert.strictEqual(
              (yield* auth.verifySession(session.token, client)).customerId,
              customerId(owner)
            )
          }
          // Another key's secret under this key's id authenticates as nobody.
          for (const [i, a] of issued.entries()) {
            const b = issued[(i + 1) % issued.length]!
            const spliced = withSecret(a.key, b.key.slice(-52))
            const result = yield* Effect.option(auth.authenticate(spliced, `splice-${i}`))
            assert.isTrue(Option.isNone(result))
          }
        })
      ),
    { arbitrary: { runs: 30 } }
  )
})
