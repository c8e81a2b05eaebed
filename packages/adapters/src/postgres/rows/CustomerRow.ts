/**
 * The `customers` row, defined once: the columns every reader selects and their decoding to a
 * `Customer` (`PgCustomerRepo` and the billing claims read customers the same way).
 */
import { Customer } from "@securebase/core"
import { Effect, Schema } from "effect"
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
    "plan",
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
  closed_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})
const decodeCustomerRow = Schema.decodeUnknownEffect(CustomerRow)
const decodeCustomer = Schema.decodeUnknownEffect(Customer.Customer)
/** A `customers` row (selected with {@link customerColumns}) as a `Customer`. */
export const toCustomer = (row: unknown) =>
  Effect.flatMap(decodeCustomerRow(row), (r) =>
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
      ...(r.closed_at === null ? {} : { closedAt: r.closed_at })
    })
  )
