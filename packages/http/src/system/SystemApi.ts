/** `GET /health`: liveness and database reachability, without authentication. */

import { FieldDoc } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"

const healthFields = {
  status: Schema.Literals(["ok", "degraded"]).pipe(
    FieldDoc.describe("`ok` while the database answers, `degraded` when it does not.")
  ),
  database: Schema.Struct({
    status: Schema.Literals(["up", "down"]).pipe(
      FieldDoc.describe("`up` when the database answered the probe, `down` otherwise.")
    ),
    kind: Schema.Literals(["postgres", "pglite"]).pipe(
      FieldDoc.describe("`postgres` (a PostgreSQL server) or `pglite` (the embedded database).")
    ),
    latencyMs: Schema.Number.pipe(FieldDoc.describe("How long the probe took, in milliseconds.", [1.8]))
  }).pipe(FieldDoc.describe("The database's reachability.")),
  profile: Schema.String.pipe(
    FieldDoc.describe("The deployment profile the server runs with (`SECUREBASE_ENV`).", ["dev"])
  ),
  version: Schema.String.pipe(FieldDoc.describe("The server's version.", ["0.1.0"])),
  time: Schema.String.pipe(
    FieldDoc.describe("When the check finished, RFC 3339 UTC.", ["2026-11-28T12:00:00.000Z"])
  )
}

/** The health report. */
export const Health = Schema.Struct(healthFields).annotate({ identifier: "Health" })

/** 503 with the same report when the database does not answer. */
export class Unhealthy extends Schema.TaggedError<Unhealthy>()(
  "Unhealthy",
  {
    _tag: Schema.tag("Unhealthy").pipe(FieldDoc.describe("Always `Unhealthy`: the database did not answer.")),
    ...healthFields
  },
  {
    httpApiStatus: 503
  }
) {}

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
