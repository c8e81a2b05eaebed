/**
 * `GET /health`: 200 when the database answered `select 1` within 2 s, 503 with the same report
 * otherwise. The answer is the latest ping's if it began less than a second ago (`time` says when
 * it ended); concurrent requests share one ping, and the requests that share a ping share its
 * answer: the 200 is built and encoded once per ping, not once per request.
 */
import { Clock, Duration, Effect, Schema } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { Api } from "../Api.ts"
import * as SingleFlight from "./SingleFlight.ts"
import { Health, Unhealthy } from "./SystemApi.ts"

/** The package version reported by `/health`. */
export const version = "0.1.0"

const encodeHealth = Schema.encodeSync(Health)

/** The handlers of the `system` group. */
export const layer = (options: { readonly profile: string; readonly databaseKind: "postgres" | "pglite" }) =>
  HttpApiBuilder.group(
    Api,
    "system",
    Effect.fnUntraced(function* (handlers) {
      const sql = yield* SqlClient.SqlClient
      // Health checks share one ping a second (see SingleFlight): probes from many load balancers,
      // or a flood of requests, cost the database one round trip a second, not one each, and a
      // request does not wait for the database when a ping is less than a second old.
      const ping = SingleFlight.recent(
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
          // The bytes the endpoint's success schema would encode (JSON, application/json).
          return up
            ? HttpServerResponse.text(JSON.stringify(encodeHealth(report)), {
                status: 200,
                contentType: "application/json"
              })
            : new Unhealthy(report)
        }),
        Duration.seconds(1)
      )
      return handlers.handle("health", () =>
        Effect.flatMap(ping, (answer) =>
          answer instanceof Unhealthy ? Effect.fail(answer) : Effect.succeed(answer)
        )
      )
    })
  )
