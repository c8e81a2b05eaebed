/**
 * `securebase operators create|list|revoke`: operator credentials for the `/admin` endpoints.
 *
 * - `create --name <name> --scopes customers:read,customers:write` prints the new operator and its
 *   key `sb_op_<id>_<secret>` once (only its SHA-256 is kept);
 * - `list` prints every operator, never a secret;
 * - `revoke <id>` revokes one: its key stops at the next request.
 *
 * The operators table is not the application's to write: run these with a login that may become
 * the owner role (the migrator, or the embedded database's own connection). Exit codes: 0 done;
 * 1 no such operator; 2 bad arguments; 3 could not run (configuration, database, a login without
 * the owner's rights).
 */

import { Operator } from "@securebase/core"
import { Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as Lazy from "./Lazy.ts"

/** `operators create`. */
export const createCommand = Command.make(
  "create",
  {
    name: Flag.String("name").pipe(Flag.withDescription("Who the operator is (one line, 1-100 characters).")),
    scopes: Flag.String("scopes").pipe(
      Flag.withDescription(`Comma-separated operator scopes: ${Operator.allScopes.join(", ")}.`)
    )
  },
  Lazy.handler(
    () => import("./OperatorsRun.ts"),
    (m) => m.create
  )
).pipe(Command.withDescription("Create an operator and print its key (sb_op_…) once."))

/** `operators list`. */
export const listCommand = Command.make(
  "list",
  {},
  Lazy.handler(
    () => import("./OperatorsRun.ts"),
    (m) => m.list
  )
).pipe(Command.withDescription("List every operator (never a secret)."))

/** `operators revoke <id>`. */
export const revokeCommand = Command.make(
  "revoke",
  {
    id: Argument.String("id").pipe(
      Argument.withDescription("The operator's id (the part after sb_op_)."),
      Argument.filter(
        (raw) => Schema.is(Operator.OperatorId)(raw),
        (raw) => `expected an operator id (16 base32 characters), got ${JSON.stringify(raw)}`
      ),
      Argument.map((raw) => raw as Operator.OperatorId)
    )
  },
  Lazy.handler(
    () => import("./OperatorsRun.ts"),
    (m) => m.revoke
  )
).pipe(Command.withDescription("Revoke an operator: its key stops at the next request."))

/** `operators`. */
export const command = Command.make("operators").pipe(
  Command.withDescription(
    "Operator credentials for the /admin endpoints (run with a login that may become the owner role)."
  ),
  Command.withSubcommands([createCommand, listCommand, revokeCommand])
)
