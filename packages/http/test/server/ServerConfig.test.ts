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
        assert.deepStrictEqual(
          c.rateLimit.trustProxy,
          { _tag: "None" },
          "X-Forwarded-For is ignored by default"
        )
        assert.deepStrictEqual(c.limitStore, { kind: "memory" })
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
        TRUST_PROXY: "10.0.0.0/8"
      })
      assert.strictEqual(c.profile, "prod")
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
