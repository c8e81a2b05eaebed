/**
 * Customers: the tenants. A customer has one plan, a billing e-mail, a tax profile, a currency
 * fixed when it is created (its invoices are all in it, priced by the book of that currency), and
 * its terms (negotiated prices, coupons, a minimum commitment).
 */
import { Effect, Schema } from "effect"
import { CustomerTerms } from "../billing/CustomerTerms.ts"
import { PlanCode } from "../billing/PriceBook.ts"
import { TaxProfile } from "../billing/Tax.ts"
import { CustomerId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"

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
  createdAt: Schema.optionalKey(Schema.DateTimeUtc)
}) {}
