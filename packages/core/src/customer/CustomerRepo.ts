/**
 * The customer repository port. Run it inside `Tenancy.runAs`: it sees only the current customer.
 */
import { Context, type Effect } from "effect"
import type { CustomerTerms } from "../billing/CustomerTerms.ts"
import type { CustomerId } from "../Ids.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Customer, CustomerStatus } from "./Customer.ts"

/** Stores customers (tenants). */
export class CustomerRepo extends Context.Service<
  CustomerRepo,
  {
    /** Stores a new customer; only as that customer (row-level security refuses any other). */
    readonly insert: (
      customer: Customer
    ) => Effect.Effect<Customer, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    readonly findById: (id: CustomerId) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Moves a customer to another status, returning the updated customer. */
    readonly setStatus: (
      id: CustomerId,
      status: CustomerStatus
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Replaces a customer's pricing terms, returning the updated customer. */
    readonly setTerms: (
      id: CustomerId,
      terms: CustomerTerms
    ) => Effect.Effect<Customer, NotFound | PersistenceFailure>
    /** Every customer visible in the current context (one for a tenant, all for the worker). */
    readonly list: Effect.Effect<ReadonlyArray<Customer>, PersistenceFailure>
  }
>()("@securebase/core/customer/CustomerRepo") {}
