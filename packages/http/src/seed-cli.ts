/**
 * `npm run db:seed`: loads the demo tenants into the database in DATABASE_URL (run
 * `npm run db:migrate` first), or into the embedded PGlite in PGLITE_DATA_DIR, and prints each
 * tenant's new API key. Refused outside the dev profile: demo keys are printed in the clear.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { servicesLayer } from "./App.ts"
import * as DemoData from "./demo/DemoData.ts"
import * as ServerConfig from "./server/ServerConfig.ts"

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load
  if (config.profile !== "dev") {
    return yield* new ServerConfig.ConfigurationError({
      problems: [`db:seed is for dev; SECUREBASE_ENV is ${config.profile}`]
    })
  }
  const tenants = yield* Effect.provide(DemoData.seed, Layer.fresh(servicesLayer(config)))
  const where = Option.isSome(config.databaseUrl) ? "DATABASE_URL" : "the embedded PGlite"
  yield* Console.log(`Seeded ${tenants.length} demo tenants into ${where}. API keys (shown once):`)
  for (const t of tenants)
    yield* Console.log(`  ${t.customer.tier.padEnd(12)} ${t.customer.name.padEnd(24)} ${t.apiKey}`)
})

NodeRuntime.runMain(program)
