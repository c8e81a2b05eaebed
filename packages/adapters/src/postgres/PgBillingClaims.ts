/**
 * `BillingClaims` on PostgreSQL: the `billing_claims` table (migration 0006). `claimNext` locks
 * one pending row with `FOR UPDATE OF c SKIP LOCKED` and reads the customer and any invoice it
 * already has for the period in the same statement, so billing a customer costs one round trip
 * more than storing its invoice. The invoice is looked up by a scalar sub-select on the unique
 * (customer, period) index: as a LEFT JOIN, a never-analysed `invoices` table (the first run of
 * a new database) got a sequential scan per claim, quadratic over a run.
 */
import { BillingClaims, type Ids, Period } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./rows/CustomerRow.ts"
import { mapRead } from "./SqlErrors.ts"

const ClaimRow = Schema.Struct({ invoice_id: Schema.NullOr(Schema.String) })
const CountRow = Schema.Struct({ status: Schema.String, n: Schema.Number })

const decodeClaimRow = Schema.decodeUnknownEffect(ClaimRow)
const decodeCounts = Schema.decodeUnknownEffect(Schema.Array(CountRow))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const customerColumns = sql.unsafe(Rows.customerColumns("cu"))

  const counts = (period: Period.Period) =>
    mapRead("BillingClaims.counts")(
      Effect.gen(function* () {
        const rows = yield* decodeCounts(
          yield* sql`SELECT status, count(*)::int AS n FROM billing_claims WHERE period = ${period} GROUP BY status`
        )
        const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0
        return { pending: of("pending"), priced: of("priced"), done: of("done"), failed: of("failed") }
      })
    )

  const open = (period: Period.Period, options: { readonly retryFailed: boolean }) =>
    Effect.gen(function* () {
      yield* mapRead("BillingClaims.open")(sql`
        INSERT INTO billing_claims (period, customer_id)
        SELECT ${period}, id FROM customers
        WHERE status = 'active' OR (status = 'closed' AND closed_at >= ${DateTime.formatIso(Period.start(period))})
        ON CONFLICT DO NOTHING`)
      if (options.retryFailed) {
        yield* mapRead("BillingClaims.open")(sql`
          UPDATE billing_claims SET status = 'pending', updated_at = now()
          WHERE period = ${period} AND status = 'failed'`)
      }
      return yield* counts(period)
    }).pipe(Effect.withSpan("BillingClaims.open", { attributes: { period } }))

  const claimNext = (period: Period.Period) =>
    mapRead("BillingClaims.claimNext")(
      Effect.gen(function* () {
        const rows = yield* sql`
          SELECT ${customerColumns},
            (SELECT i.id::text FROM invoices i WHERE i.customer_id = c.customer_id AND i.period = c.period)
              AS invoice_id
          FROM billing_claims c
          JOIN customers cu ON cu.id = c.customer_id
          WHERE c.period = ${period} AND c.status = 'pending'
          ORDER BY c.customer_id
          LIMIT 1
          FOR UPDATE OF c SKIP LOCKED`
        if (rows.length === 0) return Option.none<BillingClaims.Claim>()
        return Option.some(yield* toClaim(rows[0]))
      })
    ).pipe(Effect.withSpan("BillingClaims.claimNext"))

  const toClaim = (row: unknown) =>
    Effect.gen(function* () {
      const r = yield* decodeClaimRow(row)
      const customer = yield* Rows.toCustomer(row)
      return { customer, existingInvoice: r.invoice_id as Ids.InvoiceId | null } satisfies BillingClaims.Claim
    })

  const claimMany = (period: Period.Period, limit: number) =>
    mapRead("BillingClaims.claimMany")(
      Effect.gen(function* () {
        // Lock the claims first, then read their customers: a LIMIT under FOR UPDATE SKIP LOCKED
        // is cheapest on the claims' own partial index.
        const rows = yield* sql`
          WITH locked AS (
            SELECT customer_id FROM billing_claims
            WHERE period = ${period} AND status = 'pending'
            ORDER BY customer_id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
          )
          SELECT ${customerColumns},
            (SELECT i.id::text FROM invoices i WHERE i.customer_id = l.customer_id AND i.period = ${period})
              AS invoice_id
          FROM locked l
          JOIN customers cu ON cu.id = l.customer_id
          ORDER BY cu.id`
        return yield* Effect.forEach(rows, toClaim)
      })
    ).pipe(Effect.withSpan("BillingClaims.claimMany"))

  const completeMany = (
    period: Period.Period,
    settled: ReadonlyArray<{ readonly customerId: Ids.CustomerId; readonly invoiceId: Ids.InvoiceId | null }>
  ) =>
    settled.length === 0
      ? Effect.void
      : mapRead("BillingClaims.completeMany")(sql`
          UPDATE billing_claims c SET status = 'done', invoice_id = s.invoice_id::uuid, attempts = c.attempts + 1,
            last_error = NULL, updated_at = now()
          FROM jsonb_to_recordset(${JSON.stringify(
            settled.map((s) => ({ customer_id: s.customerId, invoice_id: s.invoiceId }))
          )}::jsonb) AS s(customer_id uuid, invoice_id text)
          WHERE c.period = ${period} AND c.customer_id = s.customer_id`).pipe(Effect.asVoid)

  const complete = (period: Period.Period, claim: BillingClaims.Claim, invoiceId: Ids.InvoiceId | null) =>
    mapRead("BillingClaims.complete")(sql`
      UPDATE billing_claims SET status = 'done', invoice_id = ${invoiceId}, attempts = attempts + 1,
        last_error = NULL, updated_at = now()
      WHERE period = ${period} AND customer_id = ${claim.customer.id}`).pipe(Effect.asVoid)

  const fail = (period: Period.Period, customerId: Ids.CustomerId, reason: string) =>
    mapRead("BillingClaims.fail")(sql`
      UPDATE billing_claims SET status = 'failed', attempts = attempts + 1, last_error = ${reason.slice(0, 2000)},
        updated_at = now()
      WHERE period = ${period} AND customer_id = ${customerId} AND status = 'pending'`).pipe(Effect.asVoid)

  const markPriced = (period: Period.Period, customerId: Ids.CustomerId, invoiceId: Ids.InvoiceId) =>
    mapRead("BillingClaims.markPriced")(sql`
      UPDATE billing_claims SET status = 'priced', invoice_id = ${invoiceId}, attempts = attempts + 1,
        last_error = NULL, updated_at = now()
      WHERE period = ${period} AND customer_id = ${customerId}`).pipe(Effect.asVoid)

  const claimPriced = (period: Period.Period, limit: number) =>
    mapRead("BillingClaims.claimPriced")(
      Effect.gen(function* () {
        const rows = yield* sql`
          WITH locked AS (
            SELECT customer_id, invoice_id FROM billing_claims
            WHERE period = ${period} AND status = 'priced'
            ORDER BY customer_id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
          )
          SELECT ${customerColumns}, l.invoice_id::text AS invoice_id
          FROM locked l
          JOIN customers cu ON cu.id = l.customer_id
          ORDER BY cu.id`
        return yield* Effect.forEach(rows, (row) =>
          Effect.map(toClaim(row), (claim) => ({
            customer: claim.customer,
            invoiceId: claim.existingInvoice as Ids.InvoiceId
          }))
        )
      })
    ).pipe(Effect.withSpan("BillingClaims.claimPriced"))

  return BillingClaims.BillingClaims.of({
    open,
    claimNext,
    claimMany,
    complete,
    completeMany,
    fail,
    markPriced,
    claimPriced,
    counts
  })
})

/** `BillingClaims` on the current `SqlClient`. */
export const layer: Layer.Layer<BillingClaims.BillingClaims, never, SqlClient.SqlClient> = Layer.effect(
  BillingClaims.BillingClaims,
  make
)
