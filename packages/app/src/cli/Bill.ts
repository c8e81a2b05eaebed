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
import { PgBilling } from "@securebase/adapters"
import {
  BillingJobs,
  BillingRun,
  InvoiceText,
  Money,
  Period,
  PeriodClose,
  Pricing,
  Repricing
} from "@securebase/core"
import { Console, DateTime, Duration, Effect, FileSystem, Layer, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as ServerConfig from "../Config.ts"
import { servicesLayer } from "../Layers.ts"
import * as MailerConfig from "../Mail.ts"
import * as CliExit from "./CliExit.ts"
import * as PriceBookCli from "./PriceBookCli.ts"

/** Exit codes of the command. */
export const ExitCode = {
  ok: CliExit.ExitCode.ok,
  failures: CliExit.ExitCode.attention,
  usage: CliExit.ExitCode.usage,
  undelivered: CliExit.ExitCode.mailUndelivered
} as const

interface Args {
  readonly period: Period.Period
  readonly dryRun: boolean
  readonly concurrency: number
  readonly batchSize: number
  /** Per-customer transactions numbered in blocks of this many (0: each takes its own number). */
  readonly numberEvery: number
  readonly send: boolean
}

const money = (totals: ReadonlyMap<string, bigint>) =>
  totals.size === 0
    ? "0"
    : Array.from(totals, ([currency, minor]) => Money.format(Money.make(currency as never, minor))).join(", ")

const mailerLayer = Effect.map(MailerConfig.config(".data/outbox"), MailerConfig.layer)

// The progress line: redrawn in place on a terminal, every 10% otherwise.
const progressLine = (p: BillingRun.Progress) =>
  `${p.period}: ${p.billed + p.skipped + p.failed}/${p.total} customers, ${p.billed} billed, ${p.skipped} skipped, ${p.failed} failed`

const onProgress = (p: BillingRun.Progress) =>
  Effect.sync(() => {
    const done = p.billed + p.skipped + p.failed
    if (process.stderr.isTTY) process.stderr.write(`\r${progressLine(p)}\u001b[K`)
    else if (
      p.total > 0 &&
      (done === p.total || Math.floor((done * 10) / p.total) > Math.floor(((done - 1) * 10) / p.total))
    )
      process.stderr.write(`${progressLine(p)}\n`)
  })

const dryRun = (args: Args) =>
  Effect.gen(function* () {
    const { invoices, failures } = yield* BillingRun.dryRun(args.period)
    const totals = new Map<string, bigint>()
    for (const { customer, invoice } of invoices) {
      yield* Console.log(`${InvoiceText.render(invoice, { customerName: customer.name })}\n`)
      totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + invoice.total)
    }
    for (const f of failures) yield* Console.log(`FAILED ${f.customerId}: ${f.reason}`)
    yield* Console.log(
      `Dry run for ${args.period}: would issue ${invoices.length} invoices, total ${money(totals)}; ${failures.length} failures. Nothing was written.`
    )
    return failures.length > 0 ? ExitCode.failures : ExitCode.ok
  })

const bill = (args: Args) =>
  Effect.gen(function* () {
    const {
      run: summary,
      overdue,
      dunning,
      mail,
      undelivered,
      pushes
    } = yield* BillingJobs.monthEnd({
      period: args.period,
      concurrency: args.concurrency,
      batchSize: args.batchSize,
      ...(args.numberEvery === 0 ? {} : { numberEvery: args.numberEvery }),
      onProgress,
      deliver: args.send
    })
    if (process.stderr.isTTY) process.stderr.write("\n")
    yield* Console.log(`Billing run ${args.period}`)
    yield* Console.log(
      `  customers  ${summary.customers} (claims: ${summary.remaining.done} done, ${summary.remaining.pending} pending, ${summary.remaining.failed} failed${summary.remaining.priced > 0 ? `, ${summary.remaining.priced} priced and not yet numbered` : ""})`
    )
    yield* Console.log(
      `  invoices   ${summary.billed} issued by this run, ${summary.skipped} already invoiced`
    )
    yield* Console.log(`  totals     ${money(summary.totals)}`)
    yield* Console.log(`  failures   ${summary.failures.length}`)
    for (const f of summary.failures) yield* Console.log(`    ${f.customerId}: ${f.reason}`)
    yield* Console.log(`  overdue    ${overdue} invoices marked overdue`)
    yield* Console.log(`  dunning    ${dunning.reminders} reminders, ${dunning.suspensions} suspensions`)
    if (mail !== undefined && undelivered !== undefined) {
      yield* Console.log(
        `  e-mail     ${mail.sent} sent, ${mail.retried} to retry, ${mail.failed} parked as failed`
      )
      yield* Console.log(
        undelivered.count === 0
          ? "  undelivered 0"
          : `  undelivered ${undelivered.count}: ${undelivered.queued} queued for a later attempt, ${undelivered.parkedNow} parked as failed by this run (${undelivered.parkedTotal} parked in all)`
      )
    } else yield* Console.log("  e-mail     left queued (--no-send)")
    // With a payment provider (PAYMENTS=stripe): a push left queued is retried by a later run.
    if (pushes !== undefined)
      yield* Console.log(
        `  payments   ${pushes.pushed} pushed, ${pushes.retried} to retry, ${pushes.failed} parked as failed`
      )
    yield* Console.log(`  elapsed    ${Duration.format(summary.elapsed)}`)
    if (summary.failures.length > 0 || summary.remaining.failed > 0) return ExitCode.failures
    if (undelivered !== undefined && undelivered.count > 0) {
      yield* Console.error(
        `bill: ${undelivered.count} e-mail(s) could not be delivered (see "undelivered"); they stay in the outbox`
      )
      return ExitCode.undelivered
    }
    return ExitCode.ok
  })

const period = Flag.String("period").pipe(
  Flag.withDescription("The month to bill, YYYY-MM."),
  Flag.filter(
    (raw) => Schema.is(Period.Period)(raw),
    (raw) => `expected a month such as 2026-10, got ${JSON.stringify(raw)}`
  ),
  Flag.map((raw) => raw as Period.Period)
)

/** The dry-run diff of a new book: every customer's month under both, nothing written. */
const priceDiff = (period: Period.Period, file: string) =>
  Effect.gen(function* () {
    const text = yield* FileSystem.FileSystem.use((fs) => fs.readFileString(file)).pipe(
      Effect.mapError((e) => CliExit.usage(`bill: cannot read ${file}: ${e.message}`))
    )
    const book = yield* PriceBookCli.decodeText(file, text).pipe(
      Effect.mapError((e) => CliExit.usage(e.message.replace(/^price-book check: /, "bill --diff: ")))
    )
    const current = yield* Pricing.Pricing
    const diff = yield* Repricing.forPeriod(period, Pricing.withPriceBook(current, book))
    yield* Console.log(Repricing.render(diff))
    return diff.summary.failed > 0 ? ExitCode.failures : ExitCode.ok
  })

/** The refusal of a month that is not billable yet. */
const notBillable = (error: PeriodClose.PeriodNotBillable) =>
  CliExit.usage(`bill: ${error.message}. Preview it with --dry-run.`)

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
  (flags) =>
    Effect.gen(function* () {
      const args: Args = {
        period: flags.period,
        dryRun: flags.dryRun,
        concurrency: flags.concurrency,
        batchSize: flags.batchSize,
        numberEvery: flags.numberEvery,
        send: !flags.noSend
      }
      if (flags.diff !== Option.isSome(flags.priceBook))
        return yield* CliExit.usage(
          "bill: --diff and --price-book go together (--price-book new.json --diff)"
        )
      if (flags.diff && args.dryRun)
        return yield* CliExit.usage("bill: --diff already writes nothing; drop --dry-run")
      const config = yield* ServerConfig.load
      // Refused before the database is touched; the run checks it again, by the same rule.
      if (!args.dryRun && !PeriodClose.isBillable(args.period, yield* DateTime.now, config.usageGrace)) {
        return yield* notBillable(
          new PeriodClose.PeriodNotBillable({
            period: args.period,
            billableAt: PeriodClose.billableAt(args.period, config.usageGrace),
            grace: config.usageGrace
          })
        )
      }
      if (Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir))
        yield* Console.error("note: no DATABASE_URL or PGLITE_DATA_DIR; billing an empty in-memory database")
      if (Option.isSome(flags.priceBook)) {
        const code = yield* Effect.provide(
          priceDiff(args.period, flags.priceBook.value),
          servicesLayer(config)
        )
        if (code !== ExitCode.ok) return yield* new CliExit.CliExit({ code, message: "" })
        return
      }
      const data = PgBilling.layer.pipe(Layer.provideMerge(servicesLayer(config)))
      const layer = Layer.merge(data, Layer.unwrap(mailerLayer))
      const code = yield* Effect.provide(
        args.dryRun
          ? dryRun(args)
          : Effect.catchTag(bill(args), "PeriodNotBillable", (e) => Effect.fail(notBillable(e))),
        layer
      )
      if (code !== ExitCode.ok) return yield* new CliExit.CliExit({ code, message: "" })
    })
).pipe(
  Command.withDescription(
    "Bill every active customer for a month, then mark overdue invoices and deliver the queued e-mail."
  )
)
