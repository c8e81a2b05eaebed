/**
 * `securebase payments held|reconcile`: the refunds held for a payment's link (`PAYMENTS=stripe`).
 *
 * - `held` lists every held refund, oldest first: its charge and payment, amount, age, the lookups
 *   made at Stripe and why they did not credit it (exit 1 when one is no longer looked up: an
 *   operator's turn);
 * - `reconcile` looks up now the payments whose lookup is due (what the daily job does), and with
 *   `--all` every held refund's, including those the lookups gave up on.
 *
 * Exit codes: 0 done; 1 a refund needs an operator; 2 bad arguments; 3 could not run.
 */
import { Command, Flag } from "effect/cli"
import * as Lazy from "./Lazy.ts"

/** `payments held`. */
export const heldCommand = Command.make(
  "held",
  {},
  Lazy.handler(
    () => import("./PaymentsRun.ts"),
    (m) => m.held
  )
).pipe(Command.withDescription("List the refunds held for their payment's link, with their age and lookups."))

/** `payments reconcile`. */
export const reconcileCommand = Command.make(
  "reconcile",
  {
    all: Flag.Boolean("all").pipe(
      Flag.withDescription("Look up every held refund's payment now, also those the lookups gave up on."),
      Flag.withDefault(false)
    )
  },
  Lazy.handler(
    () => import("./PaymentsRun.ts"),
    (m) => m.reconcile
  )
).pipe(
  Command.withDescription(
    "Look up at Stripe the payments of held refunds that are due, and credit those it links to our invoices."
  )
)

/** `payments`. */
export const command = Command.make("payments").pipe(
  Command.withDescription("Refunds held for their payment's link (PAYMENTS=stripe)."),
  Command.withSubcommands([heldCommand, reconcileCommand])
)
