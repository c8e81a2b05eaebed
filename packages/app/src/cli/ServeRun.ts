/** Running `securebase serve` (see `Serve.ts`). Imported only when it runs (`Lazy`). */
import { Effect } from "effect"
import * as ServerConfig from "../Config.ts"
import * as Server from "../Server.ts"

/** Loads the configuration and serves until interrupted. */
export const run = () => Effect.flatMap(ServerConfig.load, Server.run)
