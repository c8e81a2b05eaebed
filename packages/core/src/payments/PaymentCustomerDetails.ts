/**
 * The order of the provider's customer events: the creation time of the newest event about a
 * provider customer's details (e-mail, address) that we processed, kept beside its link, so an
 * older event delivered late never overwrites what a newer one set (like subscriptions and
 * invoice links), and the lock that applies the events about one customer one after the other.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"

/** When the provider's customer details we hold were set. */
export class PaymentCustomerDetails extends Context.Service<
  PaymentCustomerDetails,
  {
    /**
     * Moves the linked customer's details time to `at`, unless it is newer; answers whether it
     * moved (false: an older event, or no link). Its row lock orders concurrent events.
     */
    readonly advance: (
      provider: string,
      customerId: CustomerId,
      at: DateTime.Utc
    ) => Effect.Effect<boolean, PersistenceFailure>
    /**
     * Locks the customer's link until the transaction ends, waiting for any other transaction that
     * holds it: events about one customer apply one after the other, each seeing what the one
     * before committed (two of its subscriptions cancelled at once still close it).
     */
    readonly lock: (provider: string, customerId: CustomerId) => Effect.Effect<void, PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentCustomerDetails") {}
