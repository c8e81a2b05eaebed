/**
 * Running `securebase bill` (see `Bill.ts` for the command line and its exit codes): the billing
 * run, the dry run and the price book diff, on the configured database and mailer. Imported only
 * when `bill` runs (`Lazy`).
 */
import { PgBilling } from "@securebase/adapters"
import {
  BillingJobs,
  BillingRun,
  InvoiceText,
  Money,
  type Period,
  PeriodClose,
  Pricing,
  Repricing
} from "@securebase/core"
import { Console, DateTime, Duration, Effect, FileSystem, Layer, Option } from "effect"
import * as ServerConfig from "../Config.ts"
import { servicesLayer } from "../Layers.ts"
import * as MailerConfig from "../Mail.ts"
import { ExitCode } from "./Bill.ts"
import * as CliExit from "./CliExit.ts"
import * as PaymentsRun from "./PaymentsRun.ts"
import * as PriceBookCli from "./PriceBookCli.ts"

interface Args {
  readonly period: Period.Period
  readonly dryRun: boolean
  readonly concurrency: number
  readonly batchSize: number
  /** Per-customer transactions numbered in blocks of this many (0: each takes its own number). */
  readonly numberEvery: number
  readonly send: boolean
}

/** The flags as parsed (see `Bill.command`). */
export interface Flags {
  readonly period: Period.Period
  readonly dryRun: boolean
  readonly concurrency: number
  readonly batchSize: number
  readonly numberEvery: number
  readonly noSend: boolean
  readonly priceBook: Option.Option<string>
  readonly diff: boolean
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
      pushes,
      refunds
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
    if (refunds !== undefined && refunds.lookedUp > 0)
      yield* Console.log(`  ${PaymentsRun.reportLine(refunds)}`)
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

/** Runs `bill` with its parsed flags. */
export const run = (flags: Flags) =>
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
      return yield* CliExit.usage("bill: --diff and --price-book go together (--price-book new.json --diff)")
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
      const code = yield* Effect.provide(priceDiff(args.period, flags.priceBook.value), servicesLayer(config))
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
