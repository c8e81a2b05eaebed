/**
 * Customers: the tenants. A customer has one tier, a billing e-mail and a tax profile.
 */
import { Schema } from "effect"
import { TaxProfile } from "../billing/Tax.ts"
import { Tier } from "../billing/Tier.ts"
import { CustomerId } from "../Ids.ts"

/** Lifecycle of a customer account. Only `active` customers are billed and may authenticate. */
export const CustomerStatus = Schema.Literals(["active", "suspended", "closed"])
export type CustomerStatus = typeof CustomerStatus.Type

/** An e-mail address (deliberately loose: the mail provider is the real judge). */
export const Email = Schema.String.check(
  Schema.isPattern(/^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/, { message: "expected an e-mail address" })
)

/** A customer (tenant). */
export class Customer extends Schema.Class<Customer>("@securebase/core/Customer")({
  id: CustomerId,
  name: Schema.NonEmptyString.check(Schema.isMaxLength(200)),
  email: Email,
  tier: Tier,
  status: CustomerStatus,
  taxProfile: TaxProfile,
  /** Payment terms in days (net 30 by default). */
  netDays: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 })),
  /** When the customer was created (set by the store when not given; read back with the customer). */
  createdAt: Schema.optionalKey(Schema.DateTimeUtc)
}) {}
