/**
 * `npm run bill -- --period 2026-10`: the monthly billing run from the command line, then the
 * overdue sweep and the outbox (the e-mails), with a progress line on stderr and a summary.
 *
 *   --period YYYY-MM   the month to bill (required); it must have closed: ended, plus
 *                      USAGE_GRACE (default 1 hour) for late usage
 *   --dry-run          print the invoices the run would issue (plain text) and write nothing;
 *                      previews any month, an open one included
 *   --concurrency N    transactions in flight in this process (default 4)
 *   --batch-size N     customers per transaction (default 1: each customer in its own
 *                      transaction; 100-500 bills thousands per second, see BillingRun)
 *   --no-send          leave the e-mails queued in the outbox
 *
 * Data: DATABASE_URL, or the embedded PGlite in PGLITE_DATA_DIR. Mail: `MAILER=ses` sends through
 * Amazon SES v2 (AWS_REGION and credentials from the environment, SES_ENDPOINT to override the
 * endpoint), otherwise messages are written as .eml files to OUTBOX_DIR (default .data/outbox).
 * MAIL_FROM is the sender.
 *
 * Exit codes: 0 every customer billed (or nothing to do) and every e-mail delivered; 1 some
 * customers failed (their claims are marked failed; a re-run retries them); 2 bad arguments, or a
 * month that is not billable yet (the message says when it becomes billable); 3 the run could not
 * start or complete (configuration, database); 4 billed, but e-mail is undelivered: queued for a
 * later attempt or parked as failed (a later run, or the overdue sweep's, retries what is queued).
 */
import { NodeRuntime } from "@effect/platform-node"
import { PgBilling } from "@securebase/adapters"
import { BillingRun, Delivery, InvoiceText, Money, OverdueSweep, Period, PeriodClose } from "@securebase/core"
import { Cause, Console, DateTime, Duration, Effect, Exit, Layer, Option, Schema } from "effect"
import { servicesLayer } from "./App.ts"
import * as MailerConfig from "./mail/MailerConfig.ts"
import * as ServerConfig from "./server/ServerConfig.ts"

/** Exit codes of the CLI (`usage` also for a month that is not billable yet). */
export const ExitCode = { ok: 0, failures: 1, usage: 2, error: 3, undelivered: 4 } as const

interface Args {
  readonly period: Period.Period
  readonly dryRun: boolean
  readonly concurrency: number
  readonly batchSize: number
  readonly send: boolean
}

const usage =
  "usage: npm run bill -- --period YYYY-MM [--dry-run] [--concurrency N] [--batch-size N] [--no-send]"

/** Parses the arguments, or explains what is wrong. */
export const parseArgs = (argv: ReadonlyArray<string>): Args | string => {
  let period: string | undefined
  let dryRun = false
  let send = true
  let concurrency = 4
  let batchSize = 1
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined]
    const value = () => inline ?? argv[++i]
    if (flag === "--period") period = value()
    else if (flag === "--dry-run") dryRun = true
    else if (flag === "--no-send") send = false
    else if (flag === "--concurrency") concurrency = Number(value())
    else if (flag === "--batch-size") batchSize = Number(value())
    else return `unknown argument ${arg}`
  }
  if (period === undefined) return "--period is required"
  const decoded = Schema.decodeUnknownOption(Period.Period)(period)
  if (Option.isNone(decoded)) return `--period ${period}: expected a month such as 2026-10`
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    return "--concurrency must be an integer from 1 to 64"
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
    return "--batch-size must be an integer from 1 to 1000"
  return { period: decoded.value, dryRun, concurrency, batchSize, send }
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
    const summary = yield* BillingRun.run({
      period: args.period,
      concurrency: args.concurrency,
      batchSize: args.batchSize,
      onProgress
    })
    if (process.stderr.isTTY) process.stderr.write("\n")
    const overdue = yield* OverdueSweep.sweep()
    const mail = args.send ? yield* Delivery.deliverDue({ concurrency: args.concurrency }) : undefined
    const undelivered = mail === undefined ? undefined : yield* Delivery.undelivered(mail)
    yield* Console.log(`Billing run ${args.period}`)
    yield* Console.log(
      `  customers  ${summary.customers} (claims: ${summary.remaining.done} done, ${summary.remaining.pending} pending, ${summary.remaining.failed} failed)`
    )
    yield* Console.log(
      `  invoices   ${summary.billed} issued by this run, ${summary.skipped} already invoiced`
    )
    yield* Console.log(`  totals     ${money(summary.totals)}`)
    yield* Console.log(`  failures   ${summary.failures.length}`)
    for (const f of summary.failures) yield* Console.log(`    ${f.customerId}: ${f.reason}`)
    yield* Console.log(`  overdue    ${overdue} invoices marked overdue`)
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

/** The refusal of a month that is not billable yet. */
const notBillable = (error: PeriodClose.PeriodNotBillable) =>
  Effect.as(Console.error(`bill: ${error.message}. Preview it with --dry-run.`), ExitCode.usage)

/** The CLI as an effect returning its exit code. */
export const main = (argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = parseArgs(argv)
    if (typeof args === "string") {
      yield* Console.error(`${args}\n${usage}`)
      return ExitCode.usage
    }
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
    const data = PgBilling.layer.pipe(Layer.provideMerge(servicesLayer(config)))
    const layer = Layer.merge(data, Layer.unwrap(mailerLayer))
    const command: Effect.Effect<number, unknown, Layer.Success<typeof layer>> = args.dryRun
      ? dryRun(args)
      : Effect.catchTag(bill(args), "PeriodNotBillable", notBillable)
    return yield* Effect.provide(command, layer)
  }).pipe(
    Effect.catchCause((cause) =>
      Effect.as(Console.error(`bill: the run did not complete\n${Cause.pretty(cause)}`), ExitCode.error)
    )
  )

NodeRuntime.runMain(main(process.argv.slice(2)), {
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? (exit.value as number) : ExitCode.error)
})
