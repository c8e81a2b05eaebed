import { assert, describe, it } from "@effect/vitest"
import { SigningSecretRules } from "@securebase/adapters"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import * as ServerConfig from "../src/Config.ts"

const publishedSecret = "securebase-development-signing-secret-not-for-production"

const load = (env: Record<string, string>) =>
  Effect.provideService(ServerConfig.load, ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

// Random-looking secrets (base64url of 32 random bytes, fixed here so the test is reproducible).
const strong = "k1:q3Xv9LrT0bWm2ZcYhJ8sKdPfNa6uGe1oRiVt4EyQw7M"
const previous = "k0:Hk2Lw9aQe5RzUx0cVn7bTs3JdYm8PgF4oWiC1qAf6Bu"
// An Ed25519 public key (32 raw bytes, base64url) that verifies audit checkpoints.
const auditPublicKey = `2026-11:${"A".repeat(43)}`

describe("ServerConfig.load", () => {
  it.effect(
    "dev with nothing set: PGlite, memory cache, demo data, a random per-process secret, the seed's rate limit",
    () =>
      Effect.gen(function* () {
        const c = yield* load({})
        assert.strictEqual(c.profile, "dev")
        assert.isTrue(Option.isNone(c.databaseUrl))
        assert.strictEqual(c.sessionCache, "memory")
        assert.isTrue(c.seedDemo)
        assert.isTrue(c.ephemeralSigningKey)
        assert.strictEqual(c.signingKeys.length, 1)
        assert.match(c.signingKeys[0]!.kid, /^dev-[0-9a-f]{8}$/)
        assert.strictEqual(c.rateLimit.limit, 1000)
        assert.strictEqual(Duration.toMinutes(c.rateLimit.window), 5)
        assert.strictEqual(c.port, 3000)
        assert.isFalse(c.accessLog, "dev keeps the terminal for the banner")
        assert.deepStrictEqual(
          c.rateLimit.trustProxy,
          { _tag: "None" },
          "X-Forwarded-For is ignored by default"
        )
        assert.deepStrictEqual(c.limitStore, { kind: "memory" })
      })
  )

  it.effect("USAGE_GRACE: 1 hour by default, any duration up to 31 days, never negative", () =>
    Effect.gen(function* () {
      assert.strictEqual(Duration.toMillis((yield* load({})).usageGrace), 3_600_000)
      assert.strictEqual(Duration.toMinutes((yield* load({ USAGE_GRACE: "90 minutes" })).usageGrace), 90)
      assert.strictEqual(Duration.toMillis((yield* load({ USAGE_GRACE: "0 seconds" })).usageGrace), 0)
      assert.strictEqual(Duration.toDays((yield* load({ USAGE_GRACE: "31 days" })).usageGrace), 31)
      for (const bad of ["-1 hour", "32 days"]) {
        const error = yield* Effect.flip(load({ USAGE_GRACE: bad }))
        assert.match(
          (error as ServerConfig.ConfigurationError).problems.join("\n"),
          /USAGE_GRACE must be between 0 seconds and 31d/,
          bad
        )
      }
      // A bare number has no unit: refused rather than read as milliseconds.
      assert.strictEqual((yield* Effect.flip(load({ USAGE_GRACE: "3600" })))._tag, "ConfigurationError")
    })
  )

  it.effect("AUTH_USE_FLUSH_INTERVAL: 5 seconds by default, any positive duration", () =>
    Effect.gen(function* () {
      assert.strictEqual(Duration.toMillis((yield* load({})).authUseFlushInterval), 5_000)
      assert.strictEqual(
        Duration.toMillis((yield* load({ AUTH_USE_FLUSH_INTERVAL: "250 millis" })).authUseFlushInterval),
        250
      )
      const error = yield* Effect.flip(load({ AUTH_USE_FLUSH_INTERVAL: "0 seconds" }))
      assert.match(
        (error as ServerConfig.ConfigurationError).problems.join("\n"),
        /AUTH_USE_FLUSH_INTERVAL must be longer than 0 seconds/
      )
    })
  )

  it.effect(
    "DUNNING_REMINDER_DAYS and DUNNING_SUSPEND_AFTER_DAYS: 3,10,20 and no suspension by default",
    () =>
      Effect.gen(function* () {
        assert.deepStrictEqual((yield* load({})).dunning, {
          reminderDays: [3, 10, 20],
          suspendAfterDays: null
        })
        assert.deepStrictEqual(
          (yield* load({ DUNNING_REMINDER_DAYS: " 1, 7 ,14", DUNNING_SUSPEND_AFTER_DAYS: "30" })).dunning,
          { reminderDays: [1, 7, 14], suspendAfterDays: 30 }
        )
        assert.deepStrictEqual((yield* load({ DUNNING_REMINDER_DAYS: "none" })).dunning.reminderDays, [])
        for (const bad of ["10,3", "3,3", "3,x", "-1", "4000"]) {
          const error = yield* Effect.flip(load({ DUNNING_REMINDER_DAYS: bad }))
          assert.match(
            (error as ServerConfig.ConfigurationError).problems.join("\n"),
            /DUNNING_REMINDER_DAYS/,
            bad
          )
        }
        const error = yield* Effect.flip(load({ DUNNING_SUSPEND_AFTER_DAYS: "5000" }))
        assert.match(
          (error as ServerConfig.ConfigurationError).problems.join("\n"),
          /DUNNING_SUSPEND_AFTER_DAYS/
        )
      })
  )

  it.effect(
    "prod refuses to start without a database or with the development secret, listing every problem",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(load({ SECUREBASE_ENV: "prod", SEED_DEMO: "true" }))
        assert.strictEqual(error._tag, "ConfigurationError")
        const problems = (error as ServerConfig.ConfigurationError).problems.join("\n")
        assert.match(problems, /DATABASE_URL is required in prod/)
        assert.match(problems, /JWT_SIGNING_KEYS is required in prod/)
        assert.match(problems, /SEED_DEMO is refused in prod/)
        assert.match(problems, /AUDIT_VERIFY_KEYS \(or AUDIT_SIGNING_KEY\) is required in prod/)
        assert.match(problems, /SELLER_NAME is required in prod: invoices would name the demo seller/)
      })
  )

  it.effect(
    "dev without JWT_SIGNING_KEYS signed with a secret published in the source: now each start draws its own",
    () =>
      Effect.gen(function* () {
        const a = yield* load({})
        const b = yield* load({})
        const secretOf = (c: ServerConfig.ServerConfig) => Redacted.value(c.signingKeys[0]!.secret)
        assert.notStrictEqual(secretOf(a), secretOf(b))
        assert.notStrictEqual(a.signingKeys[0]!.kid, b.signingKeys[0]!.kid)
        for (const c of [a, b]) {
          assert.notStrictEqual(secretOf(c), publishedSecret)
          assert.deepStrictEqual(SigningSecretRules.weaknesses(secretOf(c)), [], "strong enough for prod too")
        }
        // Configured keys are used as they are, and nothing is generated.
        const configured = yield* load({ JWT_SIGNING_KEYS: strong })
        assert.isFalse(configured.ephemeralSigningKey)
        assert.deepStrictEqual(
          configured.signingKeys.map((k) => k.kid),
          ["k1"]
        )
      })
  )

  it.effect("the published development secret is refused in every profile, dev included", () =>
    Effect.gen(function* () {
      for (const env of [
        { JWT_SIGNING_KEYS: `dev-1:${publishedSecret}` },
        {
          SECUREBASE_ENV: "prod",
          DATABASE_URL: "postgres://db/x",
          JWT_SIGNING_KEYS: `${strong},dev-1:${publishedSecret}`
        }
      ]) {
        const error = yield* Effect.flip(load(env))
        assert.match(
          (error as ServerConfig.ConfigurationError).problems.join("\n"),
          /signing secret dev-1 is published in the SecureBase source/,
          JSON.stringify(env.SECUREBASE_ENV ?? "dev")
        )
      }
    })
  )

  it.effect(
    "prod accepted weak secrets (k1: followed by 32 × a): short, repetitive and sequential secrets are refused",
    () =>
      Effect.gen(function* () {
        const weak: Array<[string, RegExp]> = [
          [`a:${"a".repeat(32)}`, /signing secret a is refused in prod: it has only 1 distinct characters/],
          ["b:short", /signing secret b is refused in prod: it is shorter than 32 bytes \(5\)/],
          [
            "c:0123456789abcdef0123456789abcdef",
            /signing secret c is refused in prod: it repeats a block of 16/
          ],
          [
            "d:abcdefghijklmnopqrstuvwxyz0123456789",
            /signing secret d is refused in prod: most of its characters/
          ],
          [
            "e:correct-horse-battery-staplecorrect-horse-battery-staple",
            /signing secret e is refused in prod: it repeats a block of 28/
          ]
        ]
        for (const [key, expected] of weak) {
          for (const profile of ["staging", "prod"]) {
            const error = yield* Effect.flip(
              load({
                SECUREBASE_ENV: profile,
                DATABASE_URL: "postgres://db/x",
                JWT_SIGNING_KEYS: `${strong},${key}`
              })
            )
            const problems = (error as ServerConfig.ConfigurationError).problems.join("\n")
            assert.match(problems, new RegExp(expected.source.replace("in prod", `in ${profile}`)), key)
            assert.notMatch(problems, /signing secret k1/, "the strong key is not blamed")
          }
        }
      })
  )

  it.effect("prod with a database and rotated secrets starts, without demo data", () =>
    Effect.gen(function* () {
      const c = yield* load({
        SECUREBASE_ENV: "prod",
        DATABASE_URL: "postgres://app@db:5432/securebase",
        JWT_SIGNING_KEYS: `${strong},${previous}`,
        AUDIT_VERIFY_KEYS: auditPublicKey,
        SELLER_NAME: "Orbital Compliance GmbH",
        RATE_LIMIT_REQUESTS: "50",
        RATE_LIMIT_WINDOW: "1 minute",
        TRUST_PROXY: "10.0.0.0/8"
      })
      assert.strictEqual(c.profile, "prod")
      assert.strictEqual(c.seller.name, "Orbital Compliance GmbH")
      assert.isFalse(c.seedDemo)
      assert.deepStrictEqual(
        c.signingKeys.map((k) => k.kid),
        ["k1", "k0"]
      )
      assert.strictEqual(c.rateLimit.limit, 50)
      assert.strictEqual(c.rateLimit.trustProxy._tag, "Networks")
      assert.isTrue(c.accessLog, "staging and prod log every request by default")
      // The secret never prints.
      assert.notInclude(String(c.databaseUrl), "app@db")
    })
  )

  it.effect(
    "audit keys: malformed entries are refused without echoing them; the dev profile needs none",
    () =>
      Effect.gen(function* () {
        const dev = yield* load({})
        assert.isTrue(Option.isNone(dev.audit.signingKey))
        assert.isTrue(Option.isNone(dev.audit.checkpointDir))
        for (const [name, value] of [
          ["AUDIT_SIGNING_KEY", "no-key-id"],
          ["AUDIT_SIGNING_KEY", "k1:not*base64"],
          ["AUDIT_SIGNING_KEY", `a:${"A".repeat(43)},b:${"A".repeat(43)}`],
          ["AUDIT_VERIFY_KEYS", "k 1:AAAA"]
        ] as const) {
          const error = yield* Effect.flip(load({ [name]: value }))
          const problems = (error as ServerConfig.ConfigurationError).problems.join("\n")
          assert.include(problems, name, value)
          assert.notInclude(problems, value, "the key never prints")
        }
      })
  )

  it.effect("malformed values are clear errors, not defaults", () =>
    Effect.gen(function* () {
      for (const env of [
        { PORT: "http" },
        { SECUREBASE_ENV: "production" },
        { JWT_SIGNING_KEYS: "no-kid-here" }
      ]) {
        const error = yield* Effect.flip(load(env))
        assert.strictEqual(error._tag, "ConfigurationError", JSON.stringify(env))
        assert.isAbove(error.message.length, 20)
      }
    })
  )

  it.effect(
    "TRUST_PROXY=true is refused at start, saying what to set instead (regression: it trusted the client-written leftmost entry)",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(load({ TRUST_PROXY: "true" }))
        assert.strictEqual(error._tag, "ConfigurationError")
        assert.match(error.message, /TRUST_PROXY=true would trust every X-Forwarded-For entry/)
        assert.match(error.message, /TRUST_PROXY=1/)
      })
  )

  it.effect("TRUST_PROXY takes a hop count or trusted networks; anything else is a configuration error", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual((yield* load({ TRUST_PROXY: "2" })).rateLimit.trustProxy, {
        _tag: "Hops",
        hops: 2
      })
      const networks = (yield* load({ TRUST_PROXY: "10.0.0.0/8,::1" })).rateLimit.trustProxy
      assert.strictEqual(networks._tag === "Networks" ? networks.networks.length : 0, 2)
      for (const bad of ["0.0.0.0/0", "proxy.internal", "10.0.0.0/40"]) {
        const error = yield* Effect.flip(load({ TRUST_PROXY: bad }))
        assert.strictEqual(error._tag, "ConfigurationError", bad)
        assert.match(error.message, /TRUST_PROXY/, bad)
      }
    })
  )

  it.effect("RATE_LIMIT_STORE: redis needs REDIS_URL; dynamodb uses <DYNAMODB_TABLE>-limits", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(load({ RATE_LIMIT_STORE: "redis" }))
      assert.match(missing.message, /REDIS_URL is required with RATE_LIMIT_STORE=redis/)
      const notUrl = yield* Effect.flip(load({ RATE_LIMIT_STORE: "redis", REDIS_URL: "127.0.0.1:6379" }))
      assert.match(notUrl.message, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)
      const unknown = yield* Effect.flip(load({ RATE_LIMIT_STORE: "memcached" }))
      assert.strictEqual(unknown._tag, "ConfigurationError")
      const redis = (yield* load({ RATE_LIMIT_STORE: "redis", REDIS_URL: "redis://:pw@cache:6379/2" }))
        .limitStore
      assert.strictEqual(redis.kind, "redis")
      assert.strictEqual(redis.kind === "redis" ? redis.keyPrefix : "", "securebase:limits:")
      assert.notInclude(String(redis.kind === "redis" ? redis.url : ""), "pw", "the URL stays redacted")
      const dynamo = (yield* load({ RATE_LIMIT_STORE: "dynamodb", DYNAMODB_TABLE: "t" })).limitStore
      assert.deepStrictEqual(dynamo.kind === "dynamodb" ? dynamo.tableName : "", "t-limits")
    })
  )
})
