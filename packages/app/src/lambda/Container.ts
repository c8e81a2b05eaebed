/**
 * What one Lambda container starts once and keeps warm: the environment (with the Secrets Manager
 * overlay), the validated `ServerConfig`, and the services behind the API (database, auth) built
 * into a `MemoMap`, so the web handler and the scheduled jobs reuse the same database and cache by
 * reference instead of building their own.
 *
 * The start runs at the first invocation (not at import, so a bad configuration fails an
 * invocation with its reasons rather than the module load) and is memoized. A start that fails is
 * forgotten: the next invocation tries again instead of replaying the failure for the container's
 * lifetime (a database that was not ready yet, a secret that was just fixed).
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import { ConfigProvider, Console, type Context, Effect, Exit, Layer, Scope } from "effect"
import * as ServerConfig from "../Config.ts"
import * as DemoData from "../demo/DemoData.ts"
import { servicesLayer } from "../Layers.ts"
import * as Secrets from "./Secrets.ts"

/** The services layer the API and the jobs run on. */
export type ServicesLayer = ReturnType<typeof servicesLayer>
/** The services it provides. */
export type Services = Layer.Success<ServicesLayer>

/** A started container. */
export interface App {
  readonly config: ServerConfig.ServerConfig
  /** The environment the configuration was read from (Lambda defaults, variables, the secret). */
  readonly env: Readonly<Record<string, string>>
  /**
   * The services layer, by reference: built in `memoMap`, so building it again in that map (or in
   * a child, `Layer.forkMemoMapUnsafe(memoMap)`, which is what a front end should use) reuses it.
   */
  readonly services: ServicesLayer
  readonly memoMap: Layer.MemoMap
  readonly context: Context.Context<Services>
  /** Demo tenants seeded at start (only when `SEED_DEMO=true`; see `lambdaDefaults`). */
  readonly tenants: ReadonlyArray<DemoData.IssuedTenant>
  /** Runs an effect on the container's services. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
}

/**
 * Defaults that differ from the Node server's; the environment and the secret override them.
 * - `TRUST_PROXY=true`: the API handler sets `x-forwarded-for` to the gateway's `sourceIp`, which
 *   a client cannot forge, so the rate limiter and the auth throttle key on the real caller
 *   (without it every Lambda request would share the key "unknown").
 * - `SEED_DEMO=false`: each container of each function would seed its own demo tenants.
 */
export const lambdaDefaults: Secrets.Environment = { TRUST_PROXY: "true", SEED_DEMO: "false" }

/** Where a container reads its settings. */
export interface Options {
  /** The environment, read at each start attempt (default: `process.env`). */
  readonly env?: () => Secrets.Environment
  /** The Secrets Manager client used when `SECRETS_ARN` is set. */
  readonly secretsClient?: () => SecretsManagerClient
}

const defined = (env: Secrets.Environment): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))

/** The environment of a start: Lambda defaults, then the variables, then the secret. */
export const loadEnvironment = Effect.fn("Container.loadEnvironment")(function* (options: Options = {}) {
  const env = yield* Secrets.overlay(
    { ...lambdaDefaults, ...(options.env ?? (() => process.env))() },
    options.secretsClient
  )
  return defined(env)
})

/** Reads and validates the configuration from `loadEnvironment`'s result. */
export const configOf = (env: Readonly<Record<string, string>>) =>
  ServerConfig.load.pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: { ...env } }))
  )

/** The configuration a start would use (the environment with the secret, validated). */
export const loadConfig = (options: Options = {}) => Effect.flatMap(loadEnvironment(options), configOf)

/** Starts a container: configuration, services (in a fresh `MemoMap`), demo data if asked for. */
export const start = (options: Options = {}) =>
  Effect.gen(function* () {
    const env = yield* loadEnvironment(options)
    const config = yield* configOf(env)
    // On stderr, like the container's other notices: stdout carries the jobs' one-line summaries.
    if (config.ephemeralSigningKey)
      yield* Console.error(
        "SecureBase: JWT_SIGNING_KEYS is unset: sessions are signed with a random secret of this container only."
      )
    const services = servicesLayer(config)
    const memoMap = yield* Layer.makeMemoMap
    const scope = yield* Scope.make()
    const built = yield* Effect.exit(
      Effect.gen(function* () {
        const context = yield* Layer.buildWithMemoMap(services, memoMap, scope)
        const tenants = config.seedDemo ? yield* Effect.provide(DemoData.seedWithKeys(), context) : []
        return { context, tenants }
      })
    )
    if (Exit.isFailure(built)) {
      yield* Scope.close(scope, built)
      return yield* Effect.failCause(built.cause)
    }
    const { context, tenants } = built.value
    const app: App = {
      config,
      env,
      services,
      memoMap,
      context,
      tenants,
      run: (effect) => Effect.runPromise(Effect.provide(effect, context))
    }
    return { app, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
  }).pipe(Effect.withSpan("Container.start"))

/** A container's memoized start. */
export interface Container {
  /** The started app: started at the first call, then the same value (a failed start is retried). */
  readonly get: () => Promise<App>
  /** How many starts were attempted (1 for a container that stayed warm). */
  readonly starts: () => number
  /** Releases the services (tests; Lambda simply freezes the container). */
  readonly dispose: () => Promise<void>
}

/** A container whose app starts at the first `get`. */
export const make = (options: Options = {}): Container => {
  let started: Promise<{ app: App; close: () => Promise<void> }> | undefined
  let starts = 0
  const get = () => {
    if (started === undefined) {
      starts++
      const attempt = Effect.runPromise(start(options))
      started = attempt
      attempt.catch((error: unknown) => {
        if (started === attempt) started = undefined
        console.error("SecureBase: container start failed; the next invocation retries.", String(error))
      })
    }
    return started.then((s) => s.app)
  }
  return {
    get,
    starts: () => starts,
    dispose: async () => {
      const current = started
      started = undefined
      if (current !== undefined)
        await current.then(
          (s) => s.close(),
          () => undefined
        )
    }
  }
}
