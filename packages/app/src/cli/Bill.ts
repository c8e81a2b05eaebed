/**
 * `securebase bill --period 2026-10` (`npm run bill -- …`): the monthly billing run from the
 * command line, then the overdue sweep and the outbox (the e-mails), with a progress line on
 * stderr and a summary on stdout.
 *
 * A month is billed only once it has closed: ended, plus USAGE_GRACE (default 1 hour) for late
 * usage. `--dry-run` previews any month, an open one included.
 *
 * `--price-book new.json --diff` prices every active customer's closed month under the current
 * price book and under the new one (replacing the current book of its currency), writes nothing,
 * and prints per customer the old and new totals and the difference, then a summary (customers
 * up, down, unchanged; revenue before tax per currency), exact to the minor unit (`Repricing`).
 * Exit 0, or 1 when a customer could not be priced under either book; a new book that does not
 * decode is refused with exit 2, naming the offending field.
 *
 * Data: DATABASE_URL, or the embedded PGlite in PGLITE_DATA_DIR. Mail: `MAILER=ses` sends through
 * Amazon SES v2 (AWS_REGION and credentials from the environment, SES_ENDPOINT to override the
 * endpoint), otherwise messages are written as .eml files to OUTBOX_DIR (default .data/outbox).
 * MAIL_FROM is the sender.
 *
 * Exit codes (see `CliExit`): 0 every customer billed (or nothing to do) and every e-mail
 * delivered; 1 some customers failed (their claims are marked failed; a re-run retries them);
 * 2 bad arguments, or a month that is not billable yet (the message says when it becomes
 * billable); 3 the run could not start or complete (configuration, database); 4 billed, but
 * e-mail is undelivered: queued for a later attempt or parked as failed (a later run, or the
 * overdue sweep's, retries what is queued).
 */
import { Period } from "@securebase/core"
import { Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as CliExit from "./CliExit.ts"
import * as Lazy from "./Lazy.ts"

/** Exit codes of the command. */
export const ExitCode = {
  ok: CliExit.ExitCode.ok,
  failures: CliExit.ExitCode.attention,
  usage: CliExit.ExitCode.usage,
  undelivered: CliExit.ExitCode.mailUndelivered
} as const

const period = Flag.String("period").pipe(
  Flag.withDescription("The month to bill, YYYY-MM."),
  Flag.filter(
    (raw) => Schema.is(Period.Period)(raw),
    (raw) => `expected a month such as 2026-10, got ${JSON.stringify(raw)}`
  ),
  Flag.map((raw) => raw as Period.Period)
)

/** `bill`. */
export const command = Command.make(
  "bill",
  {
    period,
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Print the invoices the run would issue, as text, and write nothing."),
      Flag.withDefault(false)
    ),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Transactions in flight in this process (1-64)."),
      Flag.withDefault(4),
      Flag.filter(
        (n) => n >= 1 && n <= 64,
        (n) => `--concurrency must be from 1 to 64, got ${n}`
      )
    ),
    batchSize: Flag.Int("batch-size").pipe(
      Flag.withDescription(
        "Customers per transaction (1-1000). 1: each customer in its own transaction; 100-500 bills thousands per second."
      ),
      Flag.withDefault(1),
      Flag.filter(
        (n) => n >= 1 && n <= 1000,
        (n) => `--batch-size must be from 1 to 1000, got ${n}`
      )
    ),
    numberEvery: Flag.Int("number-every").pipe(
      Flag.withDescription(
        "With --batch-size 1: customers' transactions store drafts concurrently and a numbering transaction issues them in blocks of this many gap-free numbers (1-1000; 0, the default, numbers each customer in its own transaction)."
      ),
      Flag.withDefault(0),
      Flag.filter(
        (n) => n >= 0 && n <= 1000,
        (n) => `--number-every must be from 0 to 1000, got ${n}`
      )
    ),
    noSend: Flag.Boolean("no-send").pipe(
      Flag.withDescription("Leave the e-mails queued in the outbox."),
      Flag.withDefault(false)
    ),
    priceBook: Flag.String("price-book").pipe(
      Flag.withDescription("A new price book (JSON) to compare with the current one; needs --diff."),
      Flag.optional
    ),
    diff: Flag.Boolean("diff").pipe(
      Flag.withDescription(
        "With --price-book: price every customer's closed month under the current and the new book, print old and new totals, write nothing."
      ),
      Flag.withDefault(false)
    )
  },
  Lazy.handler(
    () => import("./BillRun.ts"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Bill every active customer for a month, then mark overdue invoices and deliver the queued e-mail."
  )
)
