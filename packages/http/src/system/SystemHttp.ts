/** `GET /health`: 200 when the database answers `select 1` within 2 s, 503 with the same report otherwise. */
import { Clock, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { Api } from "../Api.ts"
import { Unhealthy } from "./SystemApi.ts"

/** The package version reported by `/health`. */
export const version = "0.1.0"

/** The handlers of the `system` group. */
export const layer = (options: { readonly profile: string; readonly databaseKind: "postgres" | "pglite" }) =>
  HttpApiBuilder.group(
    Api,
    "system",
    Effect.fnUntraced(function* (handlers) {
      const sql = yield* SqlClient.SqlClient
      return handlers.handle("health", () =>
        Effect.gen(function* () {
          const started = yield* Clock.currentTimeMillis
          const up = yield* sql`select 1 as ok`.pipe(
            Effect.timeout("2 seconds"),
            Effect.as(true),
            Effect.catchCause(() => Effect.succeed(false))
          )
          const finished = yield* Clock.currentTimeMillis
          const report = {
            status: up ? ("ok" as const) : ("degraded" as const),
            database: {
              status: up ? ("up" as const) : ("down" as const),
              kind: options.databaseKind,
              latencyMs: finished - started
            },
            profile: options.profile,
            version,
            time: new Date(finished).toISOString()
          }
          return up ? report : yield* new Unhealthy(report)
        })
      )
    })
  )
