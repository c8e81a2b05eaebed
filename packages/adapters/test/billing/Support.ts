/** Shared set-up of the billing suites: customers with usage, the layers, and database checks. */
import {
  Customer,
  CustomerRepo,
  type Ids,
  Metric,
  Period,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBilling from "../../src/postgres/PgBilling.ts"
import * as RecordingMailer from "../notifications/RecordingMailer.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"

/** Every adapter of the billing run over the current `SqlClient`, and the recording mailer. */
export const layers = Layer.mergeAll(Fixtures.adapters, PgBilling.layer, RecordingMailer.layer)

/** A period from its text. */
export const period = (p: string): Period.Period => Schema.decodeSync(Period.Period)(p)

/**
 * Closes every customer earlier tests of the suite created, so a period's claims are only this
 * test's customers. Runs on the privileged test connection (a superuser passes row-level security).
 */
export const closeEveryone = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`UPDATE customers SET status = 'closed' WHERE status <> 'closed'`.pipe(Effect.orDie)
)

/**
 * A standard-plan customer with `calls` API calls in the middle of `p`, on net 30 with the default
 * overdue grace unless `terms` says otherwise.
 */
export const customerWithUsage = (
  p: Period.Period,
  calls: number,
  name = "Acme Corp",
  terms: { readonly netDays?: number; readonly overdueGraceDays?: number } = {}
) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const id = Fixtures.customerId()
    const customer = new Customer.Customer({
      id,
      name,
      email: `billing+${id.slice(0, 8)}@acme.test`,
      plan: "standard",
      status: "active",
      taxProfile: {},
      netDays: terms.netDays ?? 30,
      ...(terms.overdueGraceDays === undefined ? {} : { overdueGraceDays: terms.overdueGraceDays })
    })
    yield* tenancy.runAs(
      id,
      Effect.gen(function* () {
        yield* CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
        yield* UsageEventRepo.UsageEventRepo.use((r) =>
          r.record(
            new Usage.UsageEvent({
              id: `calls-${p}` as Ids.UsageEventId,
              customerId: id,
              metric: Metric.code("api_calls"),
              occurredAt: DateTime.add(Period.start(p), { days: 14 }),
              quantity: BigDecimal.fromBigInt(BigInt(calls))
            })
          )
        )
      })
    )
    return customer
  }).pipe(Effect.orDie)

/** Invoices of a period as the database holds them (privileged read). */
export const invoicesOf = (p: Period.Period) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ customer_id: string; number: string; total: string; status: string }>`
      SELECT customer_id::text, number, total::text, status::text FROM invoices WHERE period = ${p} ORDER BY number`.pipe(
      Effect.orDie
    )
  )

/** The counter of a year (0 when none was allocated yet). */
export const counter = (year: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ n: string }>`SELECT last_value::text AS n FROM invoice_number_sequences WHERE year = ${year}`.pipe(
      Effect.map((rows) => Number(rows[0]?.n ?? 0)),
      Effect.orDie
    )
  )

/** The sequence part of `INV-2026-000123`. */
export const sequenceOf = (number: string) => Number(number.slice(9))

/** Whether the sorted sequence numbers are exactly from+1 … to. */
export const isContiguous = (numbers: ReadonlyArray<string>, from: number, to: number) => {
  const seqs = numbers.map(sequenceOf).sort((a, b) => a - b)
  return seqs.length === to - from && seqs.every((s, i) => s === from + 1 + i)
}
