/**
 * What the provider's customer and subscription events do, exactly once: like the invoice events
 * (`ProcessPaymentEvent`), the event id is recorded in the payments worker's transaction with its
 * effect, and a duplicate does nothing. The effect goes through the customer model
 * (`CustomerAdmin.applyUpdate`, `applyPlanChange`, `applyStatusChange`: the same validation,
 * proration and status rules as an operator's change), audited with the provider's own actions
 * (`customer.updated_by_provider`, `customer.plan_changed_by_provider`,
 * `customer.closed_by_provider`) and `worker:payments` as the actor.
 *
 * - `customer.updated`: the linked customer's billing e-mail and address become the provider's
 *   (what the provider does not hold, it leaves as it is; the customer's name stays ours). An
 *   e-mail or address our model refuses refuses the whole event: recorded, logged, nothing written
 *   to the customer. An event older than the newest one processed is `stale`.
 * - `customer.subscription.created` / `.updated`: the subscription's state is stored (an event
 *   older than the stored state is `stale` and changes nothing); its plan code (metadata
 *   `securebase_plan` of the subscription, or else of its first item's price) becomes the
 *   customer's plan `immediately`: the provider reports a change it has already made, and bills
 *   the new price from now on. The same plan is no change; an unknown plan code is refused.
 * - `customer.subscription.deleted` (or any subscription event with status `canceled`): the
 *   customer is closed, unless it already is, or another of its subscriptions is still live (a
 *   switch from one subscription to another cancels the old one).
 */
import { Effect, Option, Result, Schema } from "effect"
import type { WorkerAction } from "../audit/AuditEvent.ts"
import { Authenticator } from "../auth/Authenticator.ts"
import { PlanCode } from "../billing/PriceBook.ts"
import { BillingAddress, Email } from "../customer/Customer.ts"
import * as CustomerAdmin from "../customer/CustomerAdmin.ts"
import type { CustomerPatch } from "../customer/CustomerRepo.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { CustomerId } from "../Ids.ts"
import * as EventClaim from "./EventClaim.ts"
import { PaymentCustomerDetails } from "./PaymentCustomerDetails.ts"
import type { AddressFacts, PaymentEvent } from "./PaymentEvent.ts"
import { PaymentRecords } from "./PaymentRecords.ts"
import { PaymentSubscriptions } from "./PaymentSubscriptions.ts"
import type * as ProcessPaymentEvent from "./ProcessPaymentEvent.ts"

/** What processing an event did: the invoice events' outcomes, or `refused`. */
export type Outcome =
  | ProcessPaymentEvent.Outcome
  /**
   * The provider's facts are not acceptable to our model (an invalid e-mail, an unknown plan):
   * recorded and logged, nothing changed.
   */
  | "refused"

/** The subscription statuses in which a subscription still bills (Stripe's). */
const liveStatuses = new Set(["active", "trialing", "past_due", "unpaid", "incomplete", "paused"])

const subscriptionTypes = new Set([
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted"
])

/** Whether this module processes events of this type. */
export const handles = (type: string): boolean => type === "customer.updated" || subscriptionTypes.has(type)

/** What an event did, and why (for the log). */
interface Handled {
  readonly outcome: Outcome
  /** Why, for the log. */
  readonly detail?: string
  /** A customer this event closed: its cached credentials are evicted after the commit. */
  readonly closed?: CustomerId
}

const decodeEmail = Schema.decodeUnknownResult(Email)
const decodeAddress = Schema.decodeUnknownResult(BillingAddress)
const decodePlan = Schema.decodeUnknownResult(PlanCode)

const tidy = (s: string | null): string | undefined => {
  const t = s?.trim()
  return t === undefined || t === "" ? undefined : t
}

/** The provider's address in our model's shape (its empty parts left out, for our rules to judge). */
const addressOf = (a: AddressFacts) => {
  const parts = {
    line1: tidy(a.line1),
    line2: tidy(a.line2),
    city: tidy(a.city),
    region: tidy(a.region),
    postalCode: tidy(a.postalCode),
    country: tidy(a.country)
  }
  return Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined))
}

const updateDetails = (event: PaymentEvent, customerId: CustomerId) =>
  Effect.gen(function* () {
    const facts = event.customer
    if (facts === null || facts === undefined)
      return { outcome: "ignored", detail: "no customer in the event" } satisfies Handled
    // Ordered before it is judged: an older event is stale even when the newer one was refused
    // (what the provider holds now is not what it held then).
    const newest = yield* PaymentCustomerDetails.use((d) =>
      d.advance(event.provider, customerId, event.createdAt)
    )
    if (!newest) return { outcome: "stale", detail: "a newer customer event was processed" } satisfies Handled
    const patch: { -readonly [K in keyof CustomerPatch]: CustomerPatch[K] } = {}
    const email = tidy(facts.email)
    if (email !== undefined) {
      const decoded = decodeEmail(email)
      if (Result.isFailure(decoded))
        return { outcome: "refused", detail: `e-mail refused: ${decoded.failure.message}` } satisfies Handled
      patch.email = decoded.success
    }
    const address = facts.address === null ? {} : addressOf(facts.address)
    // A provider customer with no address at all leaves ours as it is.
    if (Object.keys(address).length > 0) {
      const decoded = decodeAddress(address)
      if (Result.isFailure(decoded))
        return { outcome: "refused", detail: `address refused: ${decoded.failure.message}` } satisfies Handled
      patch.billingAddress = decoded.success
    }
    if (Object.keys(patch).length === 0)
      return { outcome: "ignored", detail: "no e-mail or address" } satisfies Handled
    yield* CustomerAdmin.applyUpdate(customerId, patch, "customer.updated_by_provider" satisfies WorkerAction)
    return { outcome: "applied" } satisfies Handled
  })

const applySubscription = (event: PaymentEvent, customerId: CustomerId) =>
  Effect.gen(function* () {
    const facts = event.subscription
    if (facts === null || facts === undefined)
      return { outcome: "ignored", detail: "no subscription in the event" } satisfies Handled
    const subscriptions = yield* PaymentSubscriptions
    // One event about this customer at a time: whether another subscription is still live is read
    // after any concurrent event about it committed.
    yield* PaymentCustomerDetails.use((d) => d.lock(event.provider, customerId))
    const subject = `${event.provider} subscription ${facts.providerSubscriptionId}`
    const moved = yield* subscriptions.advance({
      provider: event.provider,
      providerSubscriptionId: facts.providerSubscriptionId,
      customerId,
      status: facts.status,
      planCode: facts.planCode,
      stateAt: event.createdAt
    })
    if (!moved) return { outcome: "stale", detail: `${subject} holds a newer state` } satisfies Handled
    const customer = yield* CustomerRepo.use((r) => r.findById(customerId))
    const closing = event.type === "customer.subscription.deleted" || facts.status === "canceled"
    if (closing) {
      if (customer.status === "closed")
        return { outcome: "applied", detail: "already closed" } satisfies Handled
      const others = (yield* subscriptions.ofCustomer(customerId)).filter(
        (s) => s.providerSubscriptionId !== facts.providerSubscriptionId && liveStatuses.has(s.status)
      )
      if (others.length > 0)
        return {
          outcome: "applied",
          detail: `not closed: ${others.length} other subscription(s) still live`
        } satisfies Handled
      yield* CustomerAdmin.applyStatusChange(
        customerId,
        "close",
        `the ${subject} was canceled`,
        "customer.closed_by_provider" satisfies WorkerAction
      )
      return { outcome: "applied", closed: customerId } satisfies Handled
    }
    if (facts.planCode === null)
      return { outcome: "ignored", detail: `${subject} names no plan` } satisfies Handled
    if (customer.status === "closed")
      return { outcome: "ignored", detail: `the customer is closed: plan not changed` } satisfies Handled
    const plan = decodePlan(facts.planCode)
    if (Result.isFailure(plan))
      return {
        outcome: "refused",
        detail: `${subject} names no plan of ours: ${facts.planCode}`
      } satisfies Handled
    return yield* CustomerAdmin.applyPlanChange(
      customerId,
      plan.success,
      "immediately",
      "customer.plan_changed_by_provider" satisfies WorkerAction
    ).pipe(
      Effect.as({ outcome: "applied" } satisfies Handled as Handled),
      // Both are found before anything is written, so the event's record still commits.
      Effect.catchTags({
        PlanUnchanged: () => Effect.succeed<Handled>({ outcome: "applied", detail: "same plan" }),
        UnknownPlan: (e) => Effect.succeed<Handled>({ outcome: "refused", detail: e.message }),
        NoPriceBookForCurrency: (e) => Effect.succeed<Handled>({ outcome: "refused", detail: e.message })
      })
    )
  })

/** Processes a verified customer or subscription event once (see the module comment). */
export const process = Effect.fn("ProcessCustomerEvent.process")(function* (event: PaymentEvent) {
  const auth = yield* Authenticator
  const records = yield* PaymentRecords
  const result: Handled = yield* EventClaim.once(event, (claim) =>
    Effect.gen(function* () {
      const providerCustomerId =
        event.subscription?.providerCustomerId ??
        event.customer?.providerCustomerId ??
        event.providerCustomerId
      const found =
        providerCustomerId === null
          ? Option.none<CustomerId>()
          : yield* records.customerOfProvider(event.provider, providerCustomerId)
      const fresh = yield* claim(Option.getOrNull(found))
      if (!fresh) return { outcome: "duplicate" } satisfies Handled as Handled
      if (Option.isNone(found))
        return { outcome: "unmatched", detail: `no customer is linked to ${providerCustomerId}` } as Handled
      const applied: Handled =
        event.type === "customer.updated"
          ? yield* updateDetails(event, found.value)
          : yield* applySubscription(event, found.value)
      return applied
    }).pipe(
      // The customer is linked (a foreign key), so it exists; a concurrent operator close wins.
      Effect.catchTags({
        NotFound: (e) => Effect.succeed<Handled>({ outcome: "unmatched", detail: e.message }),
        CustomerStatusConflict: (e) => Effect.succeed<Handled>({ outcome: "applied", detail: e.message })
      })
    )
  )
  // Committed: the database already refuses a closed customer's credentials; the caches forget
  // them now. A cache that cannot be reached is only logged: the event is processed.
  if (result.closed !== undefined)
    yield* auth
      .cutOffCustomer(result.closed)
      .pipe(
        Effect.catch((e) =>
          Effect.logWarning(`payment event ${event.id}: cached credentials not evicted: ${String(e)}`)
        )
      )
  const line = `payment event ${event.id} (${event.type}): ${result.outcome}${result.detail === undefined ? "" : ` (${result.detail})`}`
  if (result.outcome === "refused") yield* Effect.logWarning(line)
  else if (result.outcome !== "applied" || result.detail !== undefined) yield* Effect.logInfo(line)
  return result.outcome
})
