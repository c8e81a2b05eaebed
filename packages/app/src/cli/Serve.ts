/** `securebase serve` (`npm start`): the API on a Node HTTP server; see `Server.ts`. */
import { Effect } from "effect"
import { Command } from "effect/cli"
import * as ServerConfig from "../Config.ts"
import * as Server from "../Server.ts"

/** `serve`. */
export const command = Command.make("serve", {}, () => Effect.flatMap(ServerConfig.load, Server.run)).pipe(
  Command.withDescription(
    "Serve the API on HOST:PORT (default 127.0.0.1:3000) on the configured database (embedded PGlite in memory by default), seeding the demo tenants in dev."
  )
)
