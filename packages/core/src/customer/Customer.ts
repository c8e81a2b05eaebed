/**
 * Customers: the tenants. A customer has one plan, a billing e-mail, a tax profile, a currency
 * fixed when it is created (its invoices are all in it, priced by the book of that currency), and
 * its terms (negotiated prices, coupons, a minimum commitment).
 */
import { DateTime, Effect, Schema } from "effect"
import { CustomerTerms } from "../billing/CustomerTerms.ts"
import * as Period from "../billing/Period.ts"
import { PlanCode } from "../billing/PriceBook.ts"
import { TaxProfile } from "../billing/Tax.ts"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"
import * as Text from "../Text.ts"

/** Lifecycle of a customer account. Only `active` customers are billed and may authenticate. */
export const CustomerStatus = Schema.Literals(["active", "suspended", "closed"])
export type CustomerStatus = typeof CustomerStatus.Type

/** An e-mail address (deliberately loose: the mail provider is the real judge). */
export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/, { message: "expected an e-mail address" })
)

/**
 * Days after an invoice's due date before it counts as overdue (the dunning e-mail), unless the
 * customer's terms say otherwise: a bank transfer sent on the due date settles within three
 * business days, which can span five calendar days.
 */
export const defaultOverdueGraceDays = 5

/** An ISO 3166-1 alpha-2 country code (`DE`, `US`). */
export const CountryCode = Schema.String.check(
  Schema.isPattern(/^[A-Z]{2}$/, { message: "expected an ISO 3166-1 alpha-2 country code such as DE" })
)

const addressLine = (maximum: number) => Text.singleLine({ minimum: 1, maximum, trimmed: true })

/** The address printed in an invoice's buyer block. */
export const BillingAddress = Schema.Struct({
  line1: addressLine(200).pipe(FieldDoc.describe("The first address line.", ["500 Market Street"])),
  line2: Schema.optionalKey(addressLine(200)).pipe(FieldDoc.describe("A second address line, when needed.")),
  city: addressLine(100).pipe(FieldDoc.describe("The city.", ["San Francisco"])),
  region: Schema.optionalKey(addressLine(100)).pipe(
    FieldDoc.describe("The state, province or region, where the country uses one.")
  ),
  postalCode: Schema.optionalKey(addressLine(20)).pipe(
    FieldDoc.describe("The postal code, where the country uses one.", ["94105"])
  ),
  country: CountryCode.pipe(FieldDoc.describe("The country, an ISO 3166-1 alpha-2 code.", ["US"]))
}).annotate({ identifier: "BillingAddress" })
export type BillingAddress = typeof BillingAddress.Type

/** A tax registration number (VAT id, EIN, …) as the customer gives it: one line of 1 to 64 characters. */
export const TaxId = addressLine(64).annotate({ identifier: "TaxId" })

/**
 * A change of the customer's plan and the instant it takes effect (the plan history, kept so a
 * month is priced on the plan in force when each part of it happened).
 */
export const PlanChange = Schema.Struct({
  effectiveAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the change takes effect, RFC 3339 UTC.")),
  from: PlanCode.pipe(FieldDoc.describe("The plan before the change.")),
  to: PlanCode.pipe(FieldDoc.describe("The plan from `effectiveAt` on."))
}).annotate({ identifier: "PlanChange" })
export type PlanChange = typeof PlanChange.Type

/** A customer (tenant). */
export class Customer extends Schema.Class<Customer>("@securebase/core/Customer")({
  id: CustomerId,
  name: Schema.NonEmptyString.check(Schema.isMaxLength(200)),
  email: Email,
  plan: PlanCode,
  status: CustomerStatus,
  taxProfile: TaxProfile,
  /** Payment terms in days (net 30 by default). */
  netDays: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 })),
  /** The currency of every invoice, fixed at creation (USD unless given). */
  currency: Currency.pipe(Schema.withConstructorDefault(Effect.succeed("USD" as const))),
  /** Negotiated prices, coupons and commitment (list prices unless given). */
  terms: CustomerTerms.pipe(Schema.withConstructorDefault(Effect.succeed({}))),
  /** Days past the due date before the invoice is overdue (default {@link defaultOverdueGraceDays}). */
  overdueGraceDays: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 })).pipe(
    Schema.withConstructorDefault(Effect.succeed(defaultOverdueGraceDays))
  ),
  /** When the customer was created (set by the store when not given; read back with the customer). */
  createdAt: Schema.optionalKey(Schema.DateTimeUtc),
  /** Printed in the buyer block of its invoices. */
  billingAddress: Schema.optionalKey(BillingAddress),
  /** The customer's tax registration number, printed in the buyer block. */
  taxId: Schema.optionalKey(TaxId),
  /** When the customer was closed (a `closed` customer closed before this was kept has none). */
  closedAt: Schema.optionalKey(Schema.DateTimeUtc),
  /**
   * Its plan changes, oldest first (absent when it never changed plan). `plan` is the plan in
   * force now; a change scheduled for later is here before it takes effect.
   */
  planChanges: Schema.optionalKey(Schema.Array(PlanChange))
}) {}

/** The plan in force at `at`, by the history (the plan at creation before the first change). */
export const planAt = (customer: Customer, at: DateTime.Utc): PlanCode => {
  const changes = customer.planChanges ?? []
  const last = changes.filter((c) => DateTime.isLessThanOrEqualTo(c.effectiveAt, at)).at(-1)
  if (last !== undefined) return last.to
  const next = changes.find((c) => DateTime.isGreaterThan(c.effectiveAt, at))
  return next?.from ?? customer.plan
}

/**
 * Whether the billing run bills `customer` for `period`: an active customer always; a closed one
 * for the month it was closed in (its last, partial period) and the months before, never after;
 * a suspended one not (it is not using the service).
 */
export const isBilledFor = (customer: Customer, period: Period.Period): boolean =>
  customer.status === "active" ||
  (customer.status === "closed" &&
    customer.closedAt !== undefined &&
    DateTime.isGreaterThanOrEqualTo(customer.closedAt, Period.start(period)))
