/**
 * Running `securebase payments held|reconcile` (see `Payments.ts` for the command line and its exit
 * codes) on the configured database and payment provider. Imported only when one runs (`Lazy`).
 */
import { PgBilling } from "@securebase/adapters"
import { LookUpHeldRefunds, PaymentCollection, type PendingRefunds } from "@securebase/core"
import { Console, DateTime, Duration, Effect, Layer, Option } from "effect"
import * as ServerConfig from "../Config.ts"
import { servicesLayer } from "../Layers.ts"
import * as CliExit from "./CliExit.ts"

/** One line of what a lookup pass did (also printed by `securebase bill`). */
export const reportLine = (report: LookUpHeldRefunds.LookupReport): string =>
  `held refunds: ${report.lookedUp} payments looked up, ${report.resolved} resolved, ${report.retried} to retry, ${report.stopped} left for an operator`

/** A held refund's age, to the minute. */
const age = (since: DateTime.Utc, now: DateTime.Utc): string => {
  const minutes = Math.max(
    0,
    Math.floor((DateTime.toEpochMillis(now) - DateTime.toEpochMillis(since)) / 60_000)
  )
  return Duration.format(Duration.minutes(minutes === 0 ? 0 : minutes))
}

/** One held refund, as `held` prints it. */
export const describe = (refund: PendingRefunds.HeldRefund, now: DateTime.Utc): string => {
  const { lookup } = refund
  const next =
    lookup.nextAt === null
      ? "no further lookup: an operator's turn"
      : `next lookup ${DateTime.formatIso(lookup.nextAt)}`
  return (
    `${refund.providerChargeId} of ${refund.providerPaymentId}  customer ${refund.customerId}  ` +
    `refunded ${refund.amount} ${refund.currency} (cumulative)  age ${age(refund.occurredAt, now)}  ` +
    `event ${refund.eventId}  lookups ${lookup.attempts}, ${next}` +
    (lookup.error === null ? "" : `  last: ${lookup.error}`)
  )
}

// The billing adapters too: applying a looked-up invoice payment records payments and credit notes.
const layerOf = (config: ServerConfig.ServerConfig) =>
  PgBilling.layer.pipe(Layer.provideMerge(servicesLayer(config)))

const withPayments = <A, E>(effect: Effect.Effect<A, E, Layer.Success<ReturnType<typeof layerOf>>>) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load
    if (config.payments.kind === "manual")
      return yield* CliExit.usage("payments: this deployment collects payments manually (PAYMENTS=manual)")
    if (Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir))
      yield* Console.error("note: no DATABASE_URL or PGLITE_DATA_DIR; an empty in-memory database")
    return yield* Effect.provide(effect, layerOf(config))
  })

/** Runs `payments held`. */
export const held = () =>
  withPayments(
    Effect.gen(function* () {
      const all = yield* LookUpHeldRefunds.list
      const now = yield* DateTime.now
      for (const refund of all) yield* Console.log(describe(refund, now))
      const stopped = all.filter((r) => r.lookup.nextAt === null).length
      yield* Console.log(
        `${all.length} held refund${all.length === 1 ? "" : "s"}, ${stopped} no longer looked up`
      )
      if (stopped > 0)
        return yield* new CliExit.CliExit({
          code: CliExit.ExitCode.attention,
          message: `${stopped} held refund(s) need an operator (see "last:"), or \`payments reconcile --all\` once the cause is fixed`
        })
    })
  )

/** Runs `payments reconcile`. */
export const reconcile = ({ all }: { readonly all: boolean }) =>
  withPayments(
    Effect.gen(function* () {
      const report = yield* (yield* PaymentCollection.PaymentCollection).lookUpHeldRefunds({ all })
      if (report === undefined) return
      yield* Console.log(reportLine(report))
      if (report.stopped > 0)
        return yield* new CliExit.CliExit({
          code: CliExit.ExitCode.attention,
          message: `${report.stopped} payment(s) left for an operator: see \`securebase payments held\``
        })
    })
  )
