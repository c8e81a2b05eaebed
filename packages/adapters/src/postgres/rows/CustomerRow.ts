/**
 * The `customers` row, defined once: the columns every reader selects and their decoding to a
 * `Customer` (`PgCustomerRepo` and the billing claims read customers the same way).
 */
import { Customer } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { json } from "./Columns.ts"

/**
 * The `customers` columns every reader selects (with `cu` as the table's alias), and the row they
 * read into, decoded to a `Customer` by {@link toCustomer}: `PgCustomerRepo` and the billing
 * claims read customers the same way.
 */
export const customerColumns = (alias: string) =>
  [
    "id::text",
    "name",
    "email",
    "status",
    "tax_profile",
    "net_days",
    "overdue_grace_days",
    "currency",
    "terms",
    "created_at",
    "billing_address",
    "tax_id",
    "closed_at"
  ]
    .map((c) => `${alias}.${c}`)
    .concat([
      // The plan in force now: the latest change already effective (one scheduled for the next
      // month takes effect at its instant, with nothing to run), else the stored plan.
      `coalesce((SELECT pc.to_plan FROM customer_plan_changes pc WHERE pc.customer_id = ${alias}.id
         AND pc.effective_at <= now() ORDER BY pc.effective_at DESC LIMIT 1), ${alias}.plan) AS plan`,
      `(SELECT coalesce(jsonb_agg(jsonb_build_object('effectiveAt', pc.effective_at, 'from', pc.from_plan,
         'to', pc.to_plan) ORDER BY pc.effective_at), '[]'::jsonb)
         FROM customer_plan_changes pc WHERE pc.customer_id = ${alias}.id) AS plan_changes`
    ])
    .join(", ")

const CustomerRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  email: Schema.String,
  plan: Schema.String,
  status: Schema.String,
  tax_profile: Schema.Unknown,
  net_days: Schema.Number,
  overdue_grace_days: Schema.Number,
  currency: Schema.String,
  terms: Schema.Unknown,
  created_at: Schema.DateTimeUtcFromDate,
  billing_address: Schema.Unknown,
  tax_id: Schema.NullOr(Schema.String),
  closed_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  plan_changes: Schema.Unknown
})
/** One element of `plan_changes` (jsonb writes instants as ISO text). */
const PlanChangeJson = Schema.Array(
  Schema.Struct({ effectiveAt: Schema.String, from: Schema.String, to: Schema.String })
)
const decodePlanChanges = Schema.decodeUnknownEffect(PlanChangeJson)
const decodeCustomerRow = Schema.decodeUnknownEffect(CustomerRow)
const decodeCustomer = Schema.decodeUnknownEffect(Customer.Customer)
/** A `customers` row (selected with {@link customerColumns}) as a `Customer`. */
export const toCustomer = (row: unknown) =>
  Effect.flatMap(
    Effect.flatMap(decodeCustomerRow(row), (r) =>
      Effect.map(decodePlanChanges(json(r.plan_changes)), (changes) => ({ r, changes }))
    ),
    ({ r, changes }) =>
      decodeCustomer({
        id: r.id,
        name: r.name,
        email: r.email,
        plan: r.plan,
        status: r.status,
        taxProfile: json(r.tax_profile),
        netDays: r.net_days,
        overdueGraceDays: r.overdue_grace_days,
        currency: r.currency,
        terms: json(r.terms),
        createdAt: r.created_at,
        ...(r.billing_address === null ? {} : { billingAddress: json(r.billing_address) }),
        ...(r.tax_id === null ? {} : { taxId: r.tax_id }),
        ...(r.closed_at === null ? {} : { closedAt: r.closed_at }),
        ...(changes.length === 0
          ? {}
          : {
              planChanges: changes.map((c) => ({
                effectiveAt: DateTime.makeUnsafe(c.effectiveAt),
                from: c.from,
                to: c.to
              }))
            })
      })
  )
