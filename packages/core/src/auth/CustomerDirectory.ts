/**
 * The port through which authentication learns a customer's plan and status. A key of a customer
 * that is suspended, closed or gone does not authenticate. Backed by the `customers` table in
 * production (a lookup by id, outside any tenant context: authentication precedes it).
 */
import { Context, type Effect, type Option } from "effect"
import type { PlanCode } from "../billing/PriceBook.ts"
import type { CustomerStatus } from "../customer/Customer.ts"
import type { CustomerId } from "../Ids.ts"
import type { AuthBackendUnavailable } from "./AuthError.ts"

/** What authentication needs to know about a customer. */
export interface CustomerAccess {
  readonly id: CustomerId
  readonly plan: PlanCode
  readonly status: CustomerStatus
}

/** Looks customers up by id. */
export class CustomerDirectory extends Context.Service<
  CustomerDirectory,
  {
    /** The customer, or `None` when deleted or unknown. */
    readonly find: (id: CustomerId) => Effect.Effect<Option.Option<CustomerAccess>, AuthBackendUnavailable>
  }
>()("@securebase/core/auth/CustomerDirectory") {}
