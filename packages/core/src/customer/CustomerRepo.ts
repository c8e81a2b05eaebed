/**
 * The customer repository port. Run it inside `Tenancy.runAs`: it sees only the current customer.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerTerms } from "../billing/CustomerTerms.ts"
import type { PlanCode } from "../billing/PriceBook.ts"
import type { CustomerId } from "../Ids.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { BillingAddress, Customer, CustomerStatus } from "./Customer.ts"

/** The fields of a customer an operator may change in place (a `null` clears an optional one). */
export interface CustomerPatch {
  readonly name?: string
  readonly email?: string
  readonly taxProfile?: Customer["taxProfile"]
  readonly netDays?: number
  readonly billingAddress?: BillingAddress | null
  readonly taxId?: string | null
}

/** Where a page of customers starts: after the customer created at `createdAt` with `id`. */
export interface CustomerCursor {
  readonly createdAt: DateTime.Utc
  readonly id: CustomerId
}

/** A search of the customers visible in the current context (the worker's: all of them). */
export interface CustomerSearch {
  /** Matches the name or the e-mail, case-insensitively, anywhere in it. */
  readonly text?: string | undefined
  readonly status?: CustomerStatus | undefined
  readonly after?: CustomerCursor | undefined
  readonly limit: number
}

/** Stores customers (tenants). */
export class CustomerRepo extends Context.Service<
  CustomerRepo,
  {
    /** Stores a new customer; only as that customer (row-level security refuses any other). */
    readonly insert: (
      customer: Customer
    ) => Effect.Effect<Customer, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    readonly findById: (id: CustomerId) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /**
     * Moves a customer to another status, returning the updated customer. Closing records `at`
     * as the closing time (the billing run bills that month, never a later one).
     */
    readonly setStatus: (
      id: CustomerId,
      status: CustomerStatus,
      at?: DateTime.Utc
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Changes the fields of `patch`, returning the updated customer. */
    readonly update: (
      id: CustomerId,
      patch: CustomerPatch
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /**
     * Records a plan change (`effectiveAt` now or later) after dropping any change still scheduled
     * after `now`; a change effective now also becomes the customer's current plan.
     */
    readonly changePlan: (
      id: CustomerId,
      change: {
        readonly id: string
        readonly requestedAt: DateTime.Utc
        readonly effectiveAt: DateTime.Utc
        readonly from: PlanCode
        readonly to: PlanCode
      }
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Customers in creation order (then id), after the cursor, at most `limit`. */
    readonly search: (search: CustomerSearch) => Effect.Effect<ReadonlyArray<Customer>, PersistenceFailure>
    /** Replaces a customer's pricing terms, returning the updated customer. */
    readonly setTerms: (
      id: CustomerId,
      terms: CustomerTerms
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Every customer visible in the current context (one for a tenant, all for the worker). */
    readonly list: Effect.Effect<ReadonlyArray<Customer>, PersistenceFailure>
  }
>()("@securebase/core/customer/CustomerRepo") {}
