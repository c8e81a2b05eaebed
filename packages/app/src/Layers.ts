/**
 * The layers of the application, configured from a `ServerConfig`: the adapters behind the API
 * (`servicesLayer`: database, tenancy, repositories, authentication) and the API itself
 * (`routesLayer`: `@securebase/http`'s handlers and middleware). The Node server (`main.ts`), the
 * Lambda entry points and the CLI build these same layers.
 *
 * Defaults are embedded: PGlite when there is no DATABASE_URL, the in-memory session cache and
 * deny list; `SESSION_CACHE=dynamodb` swaps both for DynamoDB. Either way PostgreSQL is the
 * authority on revocation: logouts are written there, every request's tenant transaction checks
 * its credential there, and with the in-memory cache on a PostgreSQL server each process listens
 * for revocations to evict its cache (`PgRevocationListener`). Outside dev, a database login that
 * could bypass row-level security is refused at start (`PgLoginCheck`).
 */
import { existsSync } from "node:fs"
import { join } from "node:path"
import {
  DynamoClient,
  DynamoSessionCache,
  DynamoSessionRevocations,
  HmacSessionTokens,
  MemorySessionCache,
  MemorySessionRevocations,
  PgApiKeyStore,
  PgAuditLog,
  PgAuthAttempts,
  PgComplianceRepo,
  PgCreditNoteNumbers,
  PgCustomerDirectory,
  PgCustomerRepo,
  PgDatabase,
  PgInvoiceDirectory,
  PgInvoiceRepo,
  PgInvoiceResends,
  PgLoginCheck,
  PgOperatorStore,
  PgOutbox,
  PgReceivablesRepo,
  PgRevocationListener,
  PgSessionRevocations,
  PgSupportTicketRepo,
  PgTenancy,
  PgUsageEventRepo,
  Sha256ApiKeySecrets
} from "@securebase/adapters"
import {
  Authenticator,
  Dunning,
  type LimitStore,
  Operators,
  PeriodClose,
  Seller,
  Throttle
} from "@securebase/core"
import { HttpApp } from "@securebase/http"
import { Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as AuditConfig from "./AuditConfig.ts"
import type { ServerConfig } from "./Config.ts"
import * as InvoiceAttachments from "./InvoiceAttachments.ts"
import * as LimitStores from "./LimitStores.ts"
import * as Payments from "./Payments.ts"

/** Where the configuration keeps the data: `DATABASE_URL`, else the embedded PGlite (in `PGLITE_DATA_DIR` or memory). */
export const databaseConfig = (config: ServerConfig): PgDatabase.DatabaseConfig =>
  Option.match(config.databaseUrl, {
    onNone: () => ({
      _tag: "Embedded" as const,
      dataDir: Option.getOrUndefined(config.pgliteDataDir),
      template: Option.getOrUndefined(config.pgliteTemplate)
    }),
    onSome: (url) => ({ _tag: "Server" as const, url })
  })

/** Reaches the database once (`SELECT 1`). */
export const reachDatabase = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT 1`
})

/** The database, the tenancy function and every repository. */
export const dataLayer = (config: ServerConfig) => {
  // The pool connects lazily: reach the database while the layer is built, so a wrong DATABASE_URL
  // fails every entry point's start with the driver's reason (before anything listens or logs).
  const connected = Layer.effectDiscard(reachDatabase).pipe(
    Layer.provideMerge(PgDatabase.layer(databaseConfig(config)))
  )
  // Outside dev, refuse a login that row-level security would not bind, before anything runs.
  const database = config.profile === "dev" ? connected : Layer.provideMerge(PgLoginCheck.layer, connected)
  const tenancy = PgTenancy.layer
  const repositories = Layer.mergeAll(
    PgCustomerRepo.layer,
    PgInvoiceRepo.layer,
    PgReceivablesRepo.layer,
    PgCreditNoteNumbers.layer,
    PgUsageEventRepo.layer,
    PgComplianceRepo.layer,
    PgSupportTicketRepo.layer,
    PgAuditLog.layer,
    PgCustomerDirectory.layer,
    PgInvoiceDirectory.layer,
    // A customer's resend queues the invoice e-mail in the outbox, counted per invoice and hour.
    PgOutbox.layer,
    PgInvoiceResends.layer
  ).pipe(Layer.provideMerge(tenancy))
  // Key changes append their audit events in their own transaction, so the store needs the log.
  const keys = PgApiKeyStore.layer.pipe(Layer.provideMerge(repositories))
  return keys.pipe(Layer.provideMerge(database))
}

const encoder = new TextEncoder()

/** The authenticator over the database, the configured cache and the signing keys. */
export const authLayer = (config: ServerConfig) => {
  const tokens = HmacSessionTokens.layer({
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    keys: config.signingKeys.map((k) => ({
      kid: k.kid,
      secret: Redacted.make(encoder.encode(Redacted.value(k.secret)))
    }))
  })
  // The fast layer: answers without a round trip. Built once (by reference) and shared by the
  // authenticator, the durable deny list in front of it and the revocation listener.
  const fast =
    config.sessionCache === "dynamodb"
      ? Layer.unwrap(
          DynamoClient.DynamoClient.use((client) =>
            Effect.succeed(
              Layer.mergeAll(
                DynamoSessionCache.layerWithClient({ client, tableName: config.dynamodbTable }),
                DynamoSessionRevocations.layerWithClient({
                  client,
                  tableName: `${config.dynamodbTable}-revocations`
                })
              )
            )
          )
        ).pipe(
          Layer.provide(
            DynamoClient.DynamoClient.layer({ endpoint: Option.getOrUndefined(config.dynamodbEndpoint) })
          )
        )
      : Layer.mergeAll(MemorySessionCache.layer, MemorySessionRevocations.layer)
  // Logouts are written to PostgreSQL (which every tenant transaction reads) before the fast layer.
  const revocations = PgSessionRevocations.layer(fast)
  const throttle = Throttle.FailureThrottle.layerWith({
    policy: { ...Throttle.defaultSettings, ...config.authThrottle }
  })
  // One recorder (by reference): the authenticator's, whose flush the Lambda API handler also
  // runs at the end of each invocation (`PgAuthAttempts.UseFlush`).
  const attempts = PgAuthAttempts.layerWith({ flushEvery: config.authUseFlushInterval })
  const authenticator = Authenticator.Authenticator.layer.pipe(
    Layer.provide(revocations),
    Layer.provide(Layer.mergeAll(tokens, fast, Sha256ApiKeySecrets.layer, attempts, throttle))
  )
  // Operator keys: read from PostgreSQL on every request (no cache to evict); failures counted
  // per client in the same limit store as tenant keys'.
  const operators = Operators.Operators.layer.pipe(
    Layer.provide(Layer.mergeAll(PgOperatorStore.layer, Sha256ApiKeySecrets.layer, throttle))
  )
  // A process-local cache hears about revocations made elsewhere (no-op on the embedded PGlite).
  // The DynamoDB cache is shared, and the instance that revokes a key evicts it there itself.
  return Layer.mergeAll(
    operators,
    attempts,
    config.sessionCache === "memory"
      ? Layer.merge(authenticator, PgRevocationListener.layer().pipe(Layer.provide(fast)))
      : authenticator
  )
}

/**
 * Where the built customer portal is: `portal/` beside the bundle on Lambda (build-lambda copies
 * it there), else `packages/portal/dist` in the workspace (`npm run build:portal`).
 */
export const portalDirectory = (): string => {
  const candidates = [join(import.meta.dirname, "portal"), join(import.meta.dirname, "../../portal/dist")]
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? candidates[1]!
}

/** Every route, with the middleware, for a configuration (still needing the data and auth layers). */
export const routesLayer = (config: ServerConfig) =>
  HttpApp.layer({
    portalDir: portalDirectory(),
    profile: config.profile,
    databaseKind: Option.isSome(config.databaseUrl) ? "postgres" : "pglite",
    trustProxy: config.rateLimit.trustProxy,
    maxBodyBytes: config.maxBodyBytes,
    rateLimit: { limit: config.rateLimit.limit, window: config.rateLimit.window }
  })

/** The audit checkpoint store and the keys that verify checkpoints (signing is the CLI's). */
export const auditLayer = (config: ServerConfig) =>
  Layer.merge(
    AuditConfig.storeLayer(config.audit, {
      ephemeralDatabase: Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir)
    }),
    // The keys were validated with the configuration; a dev key file that went bad dies loudly.
    Layer.orDie(AuditConfig.keyRingLayer(config.profile, config.audit))
  )

/**
 * The services behind the routes: data, auth, the limits' store (memory, Redis or DynamoDB, shared
 * by the per-address rate limit, the tier limit and the failure throttle), the payments
 * (`PAYMENTS`: the provider records, and with Stripe the push outbox and the webhook verifier),
 * the audit anchor, and the deployment's usage grace, dunning policy and seller
 * (what the API, the billing run and the schedulers read as `PeriodClose.UsageGrace` and `Dunning.Schedule`). Build it
 * once per process and provide the same value everywhere (layers are memoized by reference), so
 * there is one database and one cache.
 */
export const servicesLayer = (
  config: ServerConfig,
  options: {
    /** The limits' store instead of the configured one (the HTTP benchmarks' store that admits all). */
    readonly limits?: Layer.Layer<LimitStore.LimitStore>
  } = {}
) => {
  const data = dataLayer(config)
  const limits = options.limits ?? LimitStores.layer(config.limitStore)
  const seller = Layer.succeed(Seller.CurrentSeller, config.seller)
  // The pushes queue the invoice e-mails (online collection), with the configured seller.
  const payments = Payments.layer(config.payments, config.paymentRecords).pipe(
    Layer.provide(data),
    Layer.provide(seller)
  )
  return Layer.mergeAll(
    authLayer(config).pipe(Layer.provide(data), Layer.provide(limits)),
    data,
    payments,
    limits,
    auditLayer(config),
    Layer.succeed(PeriodClose.UsageGrace, config.usageGrace),
    Layer.succeed(Dunning.Schedule, config.dunning),
    // The seller of the PDFs and e-mails, the same for the API, the billing run and the jobs; the
    // invoice e-mails carry the PDF the API serves.
    seller,
    InvoiceAttachments.layer.pipe(
      Layer.provide(data),
      Layer.provide(seller),
      // The PDF prints the hosted payment link stored when it is drawn.
      Layer.provide(payments)
    )
  )
}
