/**
 * The provider's subscriptions of our customers, as the provider last told us: its id, the
 * customer, its status, the plan code it names, and the creation time of the event that set that
 * state. Events about one subscription may arrive in any order: an older event never overwrites
 * the state a newer one set (like the invoice links of `PaymentRecords`).
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

/** One provider subscription of one of our customers. */
export interface Subscription {
  readonly provider: string
  readonly providerSubscriptionId: string
  readonly customerId: CustomerId
  /** The provider's status (`active`, `past_due`, `canceled`, …). */
  readonly status: string
  /** The plan code the subscription names (possibly not one of ours); null when it names none. */
  readonly planCode: string | null
  /** The provider's creation time of the event that set this state. */
  readonly stateAt: DateTime.Utc
}

/** The provider's subscriptions. */
export class PaymentSubscriptions extends Context.Service<
  PaymentSubscriptions,
  {
    /**
     * Stores the subscription's state as of `stateAt`, unless the stored state is newer; answers
     * whether it stored it (false: the event is older than the state we hold).
     */
    readonly advance: (
      subscription: Subscription
    ) => Effect.Effect<boolean, TenantAccessDenied | PersistenceFailure>
    /** A provider subscription, if we hold it (and the current context may see it). */
    readonly find: (
      provider: string,
      providerSubscriptionId: string
    ) => Effect.Effect<Option.Option<Subscription>, PersistenceFailure>
    /** The subscriptions of a customer, oldest first. */
    readonly ofCustomer: (
      customerId: CustomerId
    ) => Effect.Effect<ReadonlyArray<Subscription>, PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentSubscriptions") {}
