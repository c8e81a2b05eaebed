/**
 * The application: the HttpApi's routes with every handler, the middleware (error shape, rate
 * limit, authentication) and the adapters behind them, configured from a `ServerConfig`. The Node
 * server (`main.ts`) and the Lambda handlers serve this same layer.
 *
 * Defaults are embedded: PGlite when there is no DATABASE_URL, the in-memory session cache and
 * deny list; `SESSION_CACHE=dynamodb` swaps both for DynamoDB; the in-memory counters of the
 * limits, which `RATE_LIMIT_STORE=redis|dynamodb` shares between instances.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import {
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
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { Api } from "./Api.ts"
import * as ApiKeysHttp from "./apikeys/ApiKeysHttp.ts"
import * as AuthenticationLive from "./auth/AuthenticationLive.ts"
import * as AuthHttp from "./auth/AuthHttp.ts"
import * as ComplianceHttp from "./compliance/ComplianceHttp.ts"
import * as InvoicesHttp from "./invoices/InvoicesHttp.ts"
import * as MetricsHttp from "./metrics/MetricsHttp.ts"
import * as BodyLimit from "./server/BodyLimit.ts"
import * as ErrorResponses from "./server/ErrorResponses.ts"
import * as LimitStores from "./server/LimitStores.ts"
import * as RateLimiter from "./server/RateLimiter.ts"
import type { ServerConfig } from "./server/ServerConfig.ts"
import * as SupportHttp from "./support/SupportHttp.ts"
import * as SystemHttp from "./system/SystemHttp.ts"
import * as UsageHttp from "./usage/UsageHttp.ts"

/** The database, the tenancy function and every repository. */
export const dataLayer = (config: ServerConfig) => {
  const database = PgDatabase.layer(
    Option.match(config.databaseUrl, {
      onNone: () => ({ _tag: "Embedded" as const, dataDir: Option.getOrUndefined(config.pgliteDataDir) }),
      onSome: (url) => ({ _tag: "Server" as const, url })
    })
  )
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
          Effect.map(
            Effect.acquireRelease(
              Effect.sync(
                () =>
                  new DynamoDBClient(
                    Option.match(config.dynamodbEndpoint, {
                      onNone: () => ({}),
                      onSome: (endpoint) => ({ endpoint })
                    })
                  )
              ),
              (client) => Effect.sync(() => client.destroy())
            ),
            (client) =>
              Layer.mergeAll(
                DynamoSessionCache.layerWithClient({ client, tableName: config.dynamodbTable }),
                DynamoSessionRevocations.layerWithClient({
                  client,
                  tableName: `${config.dynamodbTable}-revocations`
                })
              )
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

/** Every route, with the middleware, for a configuration (still needing the data and auth layers). */
export const routesLayer = (config: ServerConfig) => {
  const keyOptions = { trustProxy: config.rateLimit.trustProxy }
  const handlers = Layer.mergeAll(
    SystemHttp.layer({
      profile: config.profile,
      databaseKind: Option.isSome(config.databaseUrl) ? "postgres" : "pglite"
    }),
    AuthHttp.layer(keyOptions),
    InvoicesHttp.layer(),
    MetricsHttp.layer,
    ApiKeysHttp.layer,
    ComplianceHttp.layer,
    SupportHttp.layer,
    UsageHttp.layer
  ).pipe(Layer.provide(AuthenticationLive.layer(keyOptions)))
  return Layer.mergeAll(
    HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(Layer.provide(handlers)),
    HttpApiScalar.layer(Api, { path: "/docs" }),
    ErrorResponses.layer,
    BodyLimit.middleware(config.maxBodyBytes),
    RateLimiter.middleware({
      policy: { limit: config.rateLimit.limit, window: config.rateLimit.window },
      trustProxy: config.rateLimit.trustProxy,
      exempt: ["/health"]
    })
  )
}

/**
 * The services behind the routes: data, auth and the limits' store. Build it once per process and
 * provide the same value everywhere (layers are memoized by reference), so there is one database,
 * one cache and one store.
 */
export const servicesLayer = (config: ServerConfig) => {
  const data = dataLayer(config)
  const limits = LimitStores.layer(config.limitStore)
  return Layer.mergeAll(authLayer(config).pipe(Layer.provide(data), Layer.provide(limits)), data, limits)
}
