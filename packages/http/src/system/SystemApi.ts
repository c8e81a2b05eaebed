/** `GET /health`: liveness and database reachability, without authentication. */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"

const healthFields = {
  status: Schema.Literals(["ok", "degraded"]),
  database: Schema.Struct({
    status: Schema.Literals(["up", "down"]),
    kind: Schema.Literals(["postgres", "pglite"]),
    latencyMs: Schema.Number
  }),
  profile: Schema.String,
  version: Schema.String,
  time: Schema.String
}

/** The health report. */
export const Health = Schema.Struct(healthFields).annotate({ identifier: "Health" })

/** 503 with the same report when the database does not answer. */
export class Unhealthy extends Schema.TaggedError<Unhealthy>()("Unhealthy", healthFields, {
  httpApiStatus: 503
}) {}

/** System endpoints. */
export class SystemApi extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("health", "/health", { success: Health, error: Unhealthy }).annotateMerge(
      OpenApi.annotations({
        summary: "Check health",
        description:
          "Liveness and database reachability, without authentication (no scope). 200 with status `ok` while the database answers; 503 `Unhealthy` with the same report (status `degraded`, database `down`) when it does not."
      })
    )
  )
  .annotateMerge(OpenApi.annotations({ title: "System", description: "Health and documentation" })) {}
