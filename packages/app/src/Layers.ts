/**
 * The layers of the application, configured from a `ServerConfig`: the adapters behind the API
 * (`servicesLayer`: database, tenancy, repositories, authentication) and the API itself
 * (`routesLayer`: `@securebase/http`'s handlers and middleware). The Node server (`main.ts`), the
 * Lambda entry points and the CLI build these same layers.
 *
 * Defaults are embedded: PGlite when there is no DATABASE_URL, the in-memory session cache and
 * deny list; `SESSION_CACHE=dynamodb` swaps both for DynamoDB.
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
  PgCustomerDirectory,
  PgCustomerRepo,
  PgDatabase,
  PgInvoiceRepo,
  PgSupportTicketRepo,
  PgTenancy,
  PgUsageEventRepo,
  Sha256ApiKeySecrets
} from "@securebase/adapters"
import { Authenticator, Throttle } from "@securebase/core"
import { HttpApp } from "@securebase/http"
import { Effect, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import type { ServerConfig } from "./Config.ts"

/** Where the configuration keeps the data: `DATABASE_URL`, else the embedded PGlite (in `PGLITE_DATA_DIR` or memory). */
export const databaseConfig = (config: ServerConfig): PgDatabase.DatabaseConfig =>
  Option.match(config.databaseUrl, {
    onNone: () => ({ _tag: "Embedded" as const, dataDir: Option.getOrUndefined(config.pgliteDataDir) }),
    onSome: (url) => ({ _tag: "Server" as const, url })
  })

/** The database, the tenancy function and every repository. */
export const dataLayer = (config: ServerConfig) => {
  const database = PgDatabase.layer(databaseConfig(config))
  const tenancy = PgTenancy.layer
  const repositories = Layer.mergeAll(
    PgCustomerRepo.layer,
    PgInvoiceRepo.layer,
    PgUsageEventRepo.layer,
    PgComplianceRepo.layer,
    PgSupportTicketRepo.layer,
    PgAuditLog.layer,
    PgCustomerDirectory.layer
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
  const cache =
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
  return Authenticator.Authenticator.layer.pipe(
    Layer.provide(
      Layer.mergeAll(
        tokens,
        cache,
        Sha256ApiKeySecrets.layer,
        PgAuthAttempts.layer,
        Throttle.FailureThrottle.layerWith({ policy: { ...Throttle.defaultPolicy, ...config.authThrottle } })
      )
    )
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

/**
 * Reaches the database once. The server's pool connects lazily, so entry points run this first: a
 * wrong DATABASE_URL then fails the start with the driver's reason, not the first request.
 */
export const reachDatabase = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT 1`
})

/**
 * The services behind the routes: data and auth. Build it once per process and provide the same
 * value everywhere (layers are memoized by reference), so there is one database and one cache.
 */
export const servicesLayer = (config: ServerConfig) => {
  const data = dataLayer(config)
  return Layer.merge(authLayer(config).pipe(Layer.provide(data)), data)
}
