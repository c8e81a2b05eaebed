/**
 * `npm run audit -- checkpoint|verify [--customer <id>]`: signed checkpoints of the audit chains
 * (see `audit/AuditCommand.ts` for what each does and the exit codes). Data: DATABASE_URL (log in
 * as `securebase_worker`), or the embedded PGlite in PGLITE_DATA_DIR; checkpoints:
 * AUDIT_CHECKPOINT_DIR; keys: AUDIT_SIGNING_KEY, AUDIT_VERIFY_KEYS.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Exit } from "effect"
import { ExitCode, main } from "./audit/AuditCommand.ts"

NodeRuntime.runMain(main(process.argv.slice(2)), {
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? (exit.value as number) : ExitCode.error)
})
