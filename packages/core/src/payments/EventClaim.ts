/**
 * Exactly once for a provider event, shared by every event processor: `body` runs in one
 * payments-worker transaction and claims the event with `claim(customerId)` (false: already
 * processed, nothing to do). The claim is settled after the transaction: `done` once it committed,
 * `released` when it failed, so the next delivery claims it at once. On PostgreSQL the record
 * commits with the effect and settling does nothing; in DynamoDB an unsettled claim would answer
 * every redelivery 409 until its lease ran out.
 */
import { Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import { CurrentPrincipal, Tenancy } from "../tenancy/Tenancy.ts"
import type { PaymentEvent } from "./PaymentEvent.ts"
import { type PaymentEventInProgress, PaymentRecords } from "./PaymentRecords.ts"
import { paymentsWorker } from "./PushDelivery.ts"

/** Claims the event for the customer it is about (null when unknown); false when already processed. */
export type Claim = (
  customerId: CustomerId | null
) => Effect.Effect<boolean, PaymentEventInProgress | PersistenceFailure>

/** Runs `body` as the payments worker in one transaction, the event claimed once (module comment). */
export const once = <A, E, R>(event: PaymentEvent, body: (claim: Claim) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy
    const records = yield* PaymentRecords
    // Set once this delivery holds the event's claim.
    let claimed = false
    const claim: Claim = (customerId) =>
      Effect.map(
        records.recordEvent({
          provider: event.provider,
          id: event.id,
          type: event.type,
          createdAt: event.createdAt,
          customerId
        }),
        (fresh) => {
          if (fresh) claimed = true
          return fresh
        }
      )
    const settle = (result: "done" | "released") =>
      claimed ? records.settleEvent({ provider: event.provider, id: event.id }, result) : Effect.void
    const outcome = yield* tenancy.runAsWorker(body(claim)).pipe(
      Effect.provideService(CurrentPrincipal, paymentsWorker),
      Effect.onError(() => Effect.ignore(settle("released")))
    )
    yield* settle("done")
    return outcome
  })
