/** The Node server: `securebase serve` (what `npm start` runs), for process managers that start a file. */
import { runMain } from "./cli/Main.ts"

runMain(["serve", ...process.argv.slice(2)])
