import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import * as ServerConfig from "../../src/server/ServerConfig.ts"

const load = (env: Record<string, string>) =>
  Effect.provideService(ServerConfig.load, ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

const strong = "k1:0123456789abcdef0123456789abcdef"

describe("ServerConfig.load", () => {
  it.effect(
    "dev with nothing set: PGlite, memory cache, demo data, the development secret, the seed's rate limit",
    () =>
      Effect.gen(function* () {
        const c = yield* load({})
        assert.strictEqual(c.profile, "dev")
        assert.isTrue(Option.isNone(c.databaseUrl))
        assert.strictEqual(c.sessionCache, "memory")
        assert.isTrue(c.seedDemo)
        assert.strictEqual(c.signingKeys[0]!.kid, "dev-1")
        assert.strictEqual(c.rateLimit.limit, 1000)
        assert.strictEqual(Duration.toMinutes(c.rateLimit.window), 5)
        assert.strictEqual(c.port, 3000)
        assert.isFalse(c.accessLog, "dev keeps the terminal for the banner")
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
      })
  )

  it.effect("prod refuses the development secret even when set explicitly, and short secrets", () =>
    Effect.gen(function* () {
      const devSecret = Redacted.value(ServerConfig.developmentSigningKey.secret)
      const error = yield* Effect.flip(
        load({
          SECUREBASE_ENV: "prod",
          DATABASE_URL: "postgres://db/x",
          JWT_SIGNING_KEYS: `a:${devSecret},b:short`
        })
      )
      const problems = (error as ServerConfig.ConfigurationError).problems.join("\n")
      assert.match(problems, /development signing secret is refused/)
      assert.match(problems, /signing secret b is shorter than 32/)
    })
  )

  it.effect("prod with a database and rotated secrets starts, without demo data", () =>
    Effect.gen(function* () {
      const c = yield* load({
        SECUREBASE_ENV: "prod",
        DATABASE_URL: "postgres://app@db:5432/securebase",
        JWT_SIGNING_KEYS: `${strong},k0:fedcba9876543210fedcba9876543210`,
        RATE_LIMIT_REQUESTS: "50",
        RATE_LIMIT_WINDOW: "1 minute",
        TRUST_PROXY: "true"
      })
      assert.strictEqual(c.profile, "prod")
      assert.isFalse(c.seedDemo)
      assert.deepStrictEqual(
        c.signingKeys.map((k) => k.kid),
        ["k1", "k0"]
      )
      assert.strictEqual(c.rateLimit.limit, 50)
      assert.isTrue(c.rateLimit.trustProxy)
      assert.isTrue(c.accessLog, "staging and prod log every request by default")
      // The secret never prints.
      assert.notInclude(String(c.databaseUrl), "app@db")
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
})
