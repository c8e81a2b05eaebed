/** `securebase serve` (`npm start`): the API on a Node HTTP server; see `Server.ts`. */
import { Command } from "effect/cli"
import * as Lazy from "./Lazy.ts"

/** `serve`. */
export const command = Command.make(
  "serve",
  {},
  Lazy.handler(
    () => import("./ServeRun.ts"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Serve the API on HOST:PORT (default 127.0.0.1:3000) on the configured database (embedded PGlite in memory by default), seeding the demo tenants in dev."
  )
)
