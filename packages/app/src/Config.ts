/**
 * The server's configuration, read from the environment with effect `Config` and validated at
 * start. Profiles follow the ThemisGuard seed's dev / staging / prod separation:
 *
 * - `dev` (default): embedded PGlite when DATABASE_URL is unset, in-memory session cache, local mail
 *   outbox, demo tenants seeded; without JWT_SIGNING_KEYS, a random signing secret generated for
 *   this process alone (CSPRNG), which the start banner announces: sessions then end with the
 *   process and are not valid on another instance;
 * - `staging` and `prod`: refuse to start without DATABASE_URL or JWT_SIGNING_KEYS, with a weak
 *   signing secret (`SigningSecretRules`), or with demo data; the database login is checked
 *   separately, at start (`PgLoginCheck`).
 *
 * No profile accepts a secret that was ever published (the old development secret among them).
 */
import { SigningSecretRules } from "@securebase/adapters"
import { Dunning, Ids, PeriodClose, Seller } from "@securebase/core"
import { ClientAddress } from "@securebase/http"
import { Config, Duration, Effect, Option, Redacted, Result, Schema } from "effect"
import { Base64Url, Hex } from "effect/encoding"
import * as AuditConfig from "./AuditConfig.ts"
import * as SellerConfig from "./SellerConfig.ts"

/** Deployment profile. */
export const Profile = Schema.Literals(["dev", "staging", "prod"])
export type Profile = typeof Profile.Type

/** A JWT signing secret with its key id; two may be active at once while rotating. */
export interface SigningKey {
  readonly kid: string
  readonly secret: Redacted.Redacted<string>
}

/** A signing key of 32 random bytes (CSPRNG) for this process alone: dev without JWT_SIGNING_KEYS. */
export const ephemeralSigningKey: Effect.Effect<SigningKey> = Effect.gen(function* () {
  const random = yield* Ids.secureRandom
  const kid = `dev-${Hex.encode(yield* random.randomBytes(4))}`
  return { kid, secret: Redacted.make(Base64Url.encode(yield* random.randomBytes(32))) }
})

/** Where the limits count (`RATE_LIMIT_STORE`): per process, or shared by every instance. */
export type LimitStoreConfig =
  | { readonly kind: "memory" }
  | { readonly kind: "redis"; readonly url: Redacted.Redacted<string>; readonly keyPrefix: string }
  | { readonly kind: "dynamodb"; readonly tableName: string; readonly endpoint: Option.Option<string> }

/**
 * How payments are collected (`PAYMENTS`): `manual` (the default: operators record payments), or
 * Stripe, with its secret key, its webhook signing secrets (newest first: all verify while
 * rotating) and an optional endpoint override (`STRIPE_API_BASE`, a local stand-in in tests).
 */
export type PaymentsConfig =
  | { readonly kind: "manual" }
  | {
      readonly kind: "stripe"
      readonly secretKey: Redacted.Redacted<string>
      readonly webhookSecrets: ReadonlyArray<Redacted.Redacted<string>>
      readonly apiBase: Option.Option<URL>
    }

/**
 * Where the payment provider's ids and events are kept (`PAYMENT_RECORDS`): PostgreSQL (the
 * default, tenant tables under row-level security), or a DynamoDB table (`PAYMENT_RECORDS_TABLE`,
 * for Lambda) whose event claims hold for `PAYMENT_EVENT_LEASE` (default 5 minutes; longer than
 * the webhook's timeout). The push outbox stays in PostgreSQL either way.
 */
export type PaymentRecordsConfig =
  | { readonly kind: "postgres" }
  | {
      readonly kind: "dynamodb"
      readonly tableName: string
      readonly endpoint: Option.Option<string>
      readonly lease: Duration.Duration
    }

/** The problems of the payment records settings: one line each, naming the variable. */
export const paymentRecordsProblems = (c: {
  readonly paymentRecords: "postgres" | "dynamodb"
  readonly table: Option.Option<string>
  readonly lease: Duration.Duration
}): Array<string> => {
  if (c.paymentRecords === "postgres")
    return Option.isSome(c.table) ? ["PAYMENT_RECORDS_TABLE is only read with PAYMENT_RECORDS=dynamodb"] : []
  const problems: Array<string> = []
  if (Option.isNone(c.table)) problems.push("PAYMENT_RECORDS_TABLE is required with PAYMENT_RECORDS=dynamodb")
  else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(c.table.value))
    problems.push("PAYMENT_RECORDS_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)")
  if (
    Duration.isLessThan(c.lease, Duration.seconds(30)) ||
    Duration.isGreaterThan(c.lease, Duration.hours(1))
  )
    problems.push(
      "PAYMENT_EVENT_LEASE must be between 30 seconds and 1 hour (longer than the webhook's timeout)"
    )
  return problems
}

/** The problems of the payment settings in a profile: one line each, naming the variable. */
export const paymentsProblems = (
  profile: Profile,
  c: {
    readonly payments: "manual" | "stripe"
    readonly secretKey: Option.Option<Redacted.Redacted<string>>
    readonly webhookSecrets: ReadonlyArray<string>
    readonly apiBase: Option.Option<string>
  }
): Array<string> => {
  const problems: Array<string> = []
  if (c.payments !== "stripe") return problems
  const key = Option.map(c.secretKey, Redacted.value)
  if (Option.isNone(key)) problems.push("STRIPE_SECRET_KEY is required with PAYMENTS=stripe")
  else if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(key.value))
    problems.push("STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_live_…, rk_live_…)")
  else if (profile === "prod" && /^(sk|rk)_test_/.test(key.value))
    problems.push("STRIPE_SECRET_KEY is a test-mode key: prod collects real payments with a live key")
  if (c.webhookSecrets.length === 0 && profile === "prod")
    problems.push("STRIPE_WEBHOOK_SECRETS is required in prod with PAYMENTS=stripe (whsec_…, newest first)")
  for (const secret of c.webhookSecrets)
    if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(secret))
      problems.push("STRIPE_WEBHOOK_SECRETS entries must be webhook signing secrets (whsec_…)")
  if (Option.isSome(c.apiBase)) {
    const url = URL.canParse(c.apiBase.value) ? new URL(c.apiBase.value) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
      problems.push("STRIPE_API_BASE must be an http:// or https:// URL")
    else if (profile === "prod" && url.protocol !== "https:")
      problems.push("STRIPE_API_BASE must be https:// in prod")
  }
  return problems
}

/** Everything the server reads from the environment. */
export interface ServerConfig {
  readonly profile: Profile
  readonly host: string
  readonly port: number
  /** PostgreSQL connection string; `None` means embedded PGlite. */
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  /** Where PGlite keeps its files; `None` keeps it in memory. */
  readonly pgliteDataDir: Option.Option<string>
  /** A migrated PGlite dump a new embedded database starts from (`PgDatabase.embedded`). */
  readonly pgliteTemplate: Option.Option<string>
  readonly signingKeys: ReadonlyArray<SigningKey>
  /** Whether `signingKeys` is one random key generated at start (dev without JWT_SIGNING_KEYS). */
  readonly ephemeralSigningKey: boolean
  readonly jwtIssuer: string
  readonly jwtAudience: string
  readonly sessionCache: "memory" | "dynamodb"
  readonly dynamodbTable: string
  readonly dynamodbEndpoint: Option.Option<string>
  readonly rateLimit: {
    readonly limit: number
    readonly window: Duration.Duration
    /** Which proxies may name the client in X-Forwarded-For (`TRUST_PROXY`). */
    readonly trustProxy: ClientAddress.TrustProxy
  }
  /** The counters of the rate limit, the tier limit and the failure throttle. */
  readonly limitStore: LimitStoreConfig
  readonly seedDemo: boolean
  readonly maxBodyBytes: number
  /** Log every request (method, path, status, duration). Costs ~3x on trivial requests; see README. */
  readonly accessLog: boolean
  /**
   * Failed authentications per throttle bucket ((address, key id), or the address for credentials
   * that name no key) before it is slowed, and before it is refused.
   */
  readonly authThrottle: { readonly freeFailures: number; readonly maxFailures: number }
  /**
   * How often counted credential uses are appended to the audit chains as `auth.used`
   * (`AUTH_USE_FLUSH_INTERVAL`, default 5 seconds): a crash loses at most this much of the count.
   */
  readonly authUseFlushInterval: Duration.Duration
  /** Signed audit checkpoints: where they are kept, the keys that sign and verify them. */
  readonly audit: AuditConfig.AuditConfig
  /**
   * How long after a month ends its usage is still accepted; the month is billable from then on
   * (`USAGE_GRACE`, default 1 hour). The API, `npm run bill` and the Lambda jobs read the same value.
   */
  readonly usageGrace: Duration.Duration
  /** Who issues the invoices (`SELLER_*`, `SUPPORT_EMAIL`; see `SellerConfig`). */
  readonly seller: Seller.Seller
  /**
   * Dunning: reminder days past due (`DUNNING_REMINDER_DAYS`, default "3,10,20", "none" for none)
   * and the optional suspension (`DUNNING_SUSPEND_AFTER_DAYS`, unset by default).
   */
  readonly dunning: Dunning.DunningSchedule
  /** How payments are collected (`PAYMENTS`). */
  readonly payments: PaymentsConfig
  /** Where the provider's ids and events are kept (`PAYMENT_RECORDS`). */
  readonly paymentRecords: PaymentRecordsConfig
}

/** The configuration is unusable; `problems` lists every reason at once. */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>()("ConfigurationError", {
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `invalid configuration:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
  }
}

// "kid1:secret1,kid2:secret2": the first signs, all verify.
const signingKeysConfig = Config.String("JWT_SIGNING_KEYS").pipe(
  Config.map((raw) =>
    raw
      .split(",")
      .map((pair) => pair.trim())
      .filter((pair) => pair !== "")
      .map((pair): SigningKey => {
        const at = pair.indexOf(":")
        return at <= 0
          ? { kid: "", secret: Redacted.make(pair) }
          : { kid: pair.slice(0, at), secret: Redacted.make(pair.slice(at + 1)) }
      })
  ),
  Config.option
)

const raw = Config.all({
  profile: Config.Literals(Profile.literals, "SECUREBASE_ENV").pipe(Config.withDefault("dev" as const)),
  host: Config.String("HOST").pipe(Config.withDefault("127.0.0.1")),
  // Config.Port refuses 0; 0 (an ephemeral port) is what tests and benchmarks ask for.
  port: Config.Int("PORT").pipe(Config.withDefault(3000)),
  databaseUrl: Config.Redacted("DATABASE_URL").pipe(Config.option),
  pgliteDataDir: Config.String("PGLITE_DATA_DIR").pipe(Config.option),
  pgliteTemplate: Config.String("PGLITE_TEMPLATE").pipe(Config.option),
  signingKeys: signingKeysConfig,
  jwtIssuer: Config.String("JWT_ISSUER").pipe(Config.withDefault("securebase")),
  jwtAudience: Config.String("JWT_AUDIENCE").pipe(Config.withDefault("securebase-api")),
  sessionCache: Config.Literals(["memory", "dynamodb"] as const, "SESSION_CACHE").pipe(
    Config.withDefault("memory" as const)
  ),
  dynamodbTable: Config.String("DYNAMODB_TABLE").pipe(Config.withDefault("securebase-sessions")),
  dynamodbEndpoint: Config.String("DYNAMODB_ENDPOINT").pipe(Config.option),
  rateLimitRequests: Config.Int("RATE_LIMIT_REQUESTS").pipe(Config.withDefault(1000)),
  rateLimitWindow: Config.Duration("RATE_LIMIT_WINDOW").pipe(Config.withDefault(Duration.minutes(5))),
  trustProxy: Config.String("TRUST_PROXY").pipe(Config.withDefault("false")),
  rateLimitStore: Config.Literals(["memory", "redis", "dynamodb"] as const, "RATE_LIMIT_STORE").pipe(
    Config.withDefault("memory" as const)
  ),
  redisUrl: Config.Redacted("REDIS_URL").pipe(Config.option),
  rateLimitKeyPrefix: Config.String("RATE_LIMIT_KEY_PREFIX").pipe(Config.withDefault("securebase:limits:")),
  seedDemo: Config.Boolean("SEED_DEMO").pipe(Config.option),
  maxBodyBytes: Config.Int("MAX_BODY_BYTES").pipe(Config.withDefault(1_048_576)),
  accessLog: Config.Boolean("ACCESS_LOG").pipe(Config.option),
  authFreeFailures: Config.Int("AUTH_FREE_FAILURES").pipe(Config.withDefault(5)),
  authMaxFailures: Config.Int("AUTH_MAX_FAILURES").pipe(Config.withDefault(20)),
  audit: AuditConfig.config,
  usageGrace: Config.Duration("USAGE_GRACE").pipe(Config.withDefault(PeriodClose.defaultUsageGrace)),
  authUseFlushInterval: Config.Duration("AUTH_USE_FLUSH_INTERVAL").pipe(
    Config.withDefault(Duration.seconds(5))
  ),
  dunningReminderDays: Config.String("DUNNING_REMINDER_DAYS").pipe(
    Config.withDefault(Dunning.defaultSchedule.reminderDays.join(","))
  ),
  dunningSuspendAfterDays: Config.Int("DUNNING_SUSPEND_AFTER_DAYS").pipe(Config.option),
  seller: SellerConfig.config,
  payments: Config.Literals(["manual", "stripe"] as const, "PAYMENTS").pipe(
    Config.withDefault("manual" as const)
  ),
  stripeSecretKey: Config.Redacted("STRIPE_SECRET_KEY").pipe(Config.option),
  stripeWebhookSecrets: Config.String("STRIPE_WEBHOOK_SECRETS").pipe(Config.withDefault("")),
  stripeApiBase: Config.String("STRIPE_API_BASE").pipe(Config.option),
  paymentRecords: Config.Literals(["postgres", "dynamodb"] as const, "PAYMENT_RECORDS").pipe(
    Config.withDefault("postgres" as const)
  ),
  paymentRecordsTable: Config.String("PAYMENT_RECORDS_TABLE").pipe(Config.option),
  paymentEventLease: Config.Duration("PAYMENT_EVENT_LEASE").pipe(Config.withDefault(Duration.minutes(5)))
})

/** The dunning policy of the two variables, or the problem with them. */
const dunningPolicy = (reminderDays: string, suspendAfterDays: Option.Option<number>) => {
  // "none": no reminders (an empty variable reads as unset, so it cannot say that).
  const days = reminderDays.trim() === "none" ? [] : reminderDays.split(",").map((d) => d.trim())
  if (days.some((d) => !/^\d{1,4}$/.test(d)))
    return Result.fail(
      'DUNNING_REMINDER_DAYS must be whole days separated by commas, such as 3,10,20, or "none"'
    )
  return Result.mapError(
    Schema.decodeUnknownResult(Dunning.DunningSchedule)({
      reminderDays: days.map(Number),
      suspendAfterDays: Option.getOrNull(suspendAfterDays)
    }),
    () =>
      "DUNNING_REMINDER_DAYS must be ascending and distinct, and every day (and DUNNING_SUSPEND_AFTER_DAYS) between 0 and 3650"
  )
}

/**
 * One readable line per configuration problem, naming the variable: "PORT: Expected a string
 * representing a finite number" rather than the schema error's nested form.
 */
export const describeConfigError = (error: Config.ConfigError): string => {
  const text = error.message.replace(/^SchemaError\(([\s\S]*)\)$/, "$1")
  const located = /^([\s\S]*?)\s+at \[([^\]]*)\]\s*$/.exec(text)
  if (located === null) return text.replaceAll(/\s+/g, " ").trim()
  const path = located[2]!.replaceAll('"', "").split(",").join(".")
  return `${path}: ${located[1]!.replaceAll(/\s+/g, " ").trim()}`
}

/** Reads and validates the configuration; every problem is reported at once. */
export const load = Effect.gen(function* () {
  const c = yield* Effect.mapError(
    raw,
    (error) => new ConfigurationError({ problems: [describeConfigError(error)] })
  )
  const problems: Array<string> = []
  const production = c.profile !== "dev"
  if (production && Option.isNone(c.databaseUrl)) {
    problems.push(`DATABASE_URL is required in ${c.profile} (the embedded PGlite is for dev only)`)
  }
  if (production && Option.isNone(c.signingKeys)) {
    problems.push(`JWT_SIGNING_KEYS is required in ${c.profile} (kid:secret, 32+ random bytes)`)
  }
  for (const key of Option.getOrElse(c.signingKeys, () => [])) {
    if (key.kid === "") problems.push("JWT_SIGNING_KEYS entries must be kid:secret")
    const secret = Redacted.value(key.secret)
    if (SigningSecretRules.publishedSecrets.has(secret)) {
      problems.push(
        `signing secret ${key.kid} is published in the SecureBase source: it is refused everywhere`
      )
    } else if (production) {
      for (const weakness of SigningSecretRules.weaknesses(secret))
        problems.push(`signing secret ${key.kid} is refused in ${c.profile}: ${weakness}`)
    }
  }
  if (production && Option.getOrElse(c.seedDemo, () => false)) {
    problems.push(`SEED_DEMO is refused in ${c.profile}: demo tenants have published API keys`)
  }
  if (c.port < 0 || c.port > 65535) problems.push("PORT must be between 0 and 65535")
  if (c.rateLimitRequests < 1) problems.push("RATE_LIMIT_REQUESTS must be at least 1")
  const trustProxy = ClientAddress.parseTrustProxy(c.trustProxy)
  if (Result.isFailure(trustProxy)) problems.push(trustProxy.failure)
  if (c.rateLimitStore === "redis") {
    const url = Option.map(c.redisUrl, Redacted.value)
    if (Option.isNone(url)) problems.push("REDIS_URL is required with RATE_LIMIT_STORE=redis")
    else if (!/^rediss?:\/\/[^\s]+$/.test(url.value))
      problems.push("REDIS_URL must be a redis:// or rediss:// URL")
  }
  if (c.maxBodyBytes < 1024) problems.push("MAX_BODY_BYTES must be at least 1024")
  if (c.authFreeFailures < 0 || c.authMaxFailures <= c.authFreeFailures) {
    problems.push("AUTH_MAX_FAILURES must exceed AUTH_FREE_FAILURES, both at least 0")
  }
  problems.push(...AuditConfig.problems(c.profile, c.audit))
  if (
    Duration.isLessThan(c.usageGrace, Duration.zero) ||
    Duration.isGreaterThan(c.usageGrace, PeriodClose.maxUsageGrace)
  ) {
    problems.push(`USAGE_GRACE must be between 0 seconds and ${Duration.format(PeriodClose.maxUsageGrace)}`)
  }
  if (!Duration.isGreaterThan(c.authUseFlushInterval, Duration.zero)) {
    problems.push("AUTH_USE_FLUSH_INTERVAL must be longer than 0 seconds")
  }
  const dunning = dunningPolicy(c.dunningReminderDays, c.dunningSuspendAfterDays)
  if (Result.isFailure(dunning)) problems.push(dunning.failure)
  const seller = yield* SellerConfig.load(c.seller)
  problems.push(...seller.problems)
  if (production && seller.seller.name === Seller.demo.name) {
    problems.push(
      `SELLER_NAME is required in ${c.profile}: invoices would name the demo seller (set SELLER_NAME, SELLER_ADDRESS, SELLER_TAX_ID)`
    )
  }
  const webhookSecrets = c.stripeWebhookSecrets
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret !== "")
  problems.push(
    ...paymentsProblems(c.profile, {
      payments: c.payments,
      secretKey: c.stripeSecretKey,
      webhookSecrets,
      apiBase: c.stripeApiBase
    })
  )
  problems.push(
    ...paymentRecordsProblems({
      paymentRecords: c.paymentRecords,
      table: c.paymentRecordsTable,
      lease: c.paymentEventLease
    })
  )
  if (problems.length > 0) return yield* new ConfigurationError({ problems })
  const signingKeys = Option.isSome(c.signingKeys) ? c.signingKeys.value : [yield* ephemeralSigningKey]
  return {
    profile: c.profile,
    host: c.host,
    port: c.port,
    databaseUrl: c.databaseUrl,
    pgliteDataDir: c.pgliteDataDir,
    pgliteTemplate: c.pgliteTemplate,
    signingKeys,
    ephemeralSigningKey: Option.isNone(c.signingKeys),
    jwtIssuer: c.jwtIssuer,
    jwtAudience: c.jwtAudience,
    sessionCache: c.sessionCache,
    dynamodbTable: c.dynamodbTable,
    dynamodbEndpoint: c.dynamodbEndpoint,
    rateLimit: {
      limit: c.rateLimitRequests,
      window: c.rateLimitWindow,
      trustProxy: Result.getOrElse(trustProxy, () => ClientAddress.trustNone)
    },
    limitStore:
      c.rateLimitStore === "redis" && Option.isSome(c.redisUrl)
        ? { kind: "redis", url: c.redisUrl.value, keyPrefix: c.rateLimitKeyPrefix }
        : c.rateLimitStore === "dynamodb"
          ? { kind: "dynamodb", tableName: `${c.dynamodbTable}-limits`, endpoint: c.dynamodbEndpoint }
          : { kind: "memory" },
    seedDemo: Option.getOrElse(c.seedDemo, () => !production),
    maxBodyBytes: c.maxBodyBytes,
    accessLog: Option.getOrElse(c.accessLog, () => production),
    authThrottle: { freeFailures: c.authFreeFailures, maxFailures: c.authMaxFailures },
    authUseFlushInterval: c.authUseFlushInterval,
    audit: c.audit,
    usageGrace: c.usageGrace,
    dunning: Result.getOrElse(dunning, () => Dunning.defaultSchedule),
    seller: seller.seller,
    payments:
      c.payments === "stripe" && Option.isSome(c.stripeSecretKey)
        ? {
            kind: "stripe",
            secretKey: c.stripeSecretKey.value,
            webhookSecrets: webhookSecrets.map((secret) => Redacted.make(secret)),
            apiBase: Option.map(c.stripeApiBase, (base) => new URL(base))
          }
        : { kind: "manual" },
    paymentRecords:
      c.paymentRecords === "dynamodb" && Option.isSome(c.paymentRecordsTable)
        ? {
            kind: "dynamodb",
            tableName: c.paymentRecordsTable.value,
            endpoint: c.dynamodbEndpoint,
            lease: c.paymentEventLease
          }
        : { kind: "postgres" }
  } satisfies ServerConfig
})
