/**
 * Voiding a usage event: the operator's repair for an event that should never have counted (a
 * wrong quantity, a test sent to production, a stored event that breaks today's bounds and blocks
 * the month). The event is kept, marked voided with who, when and why, audited as
 * `usage_event.voided` in the same transaction, and left out of every aggregation, the metrics and
 * the billing run from then on. A period that already has an invoice is closed: its usage is what
 * the invoice says, so voiding there is refused.
 */
import { Effect, Schema } from "effect"
import { CustomerId, type UsageEventId } from "../Ids.ts"
import * as Text from "../Text.ts"
import { CurrentPrincipal, Tenancy } from "../tenancy/Tenancy.ts"
import { UsageEventRepo } from "./UsageEventRepo.ts"

/** Why an event is voided: one line of 1 to 500 characters, kept with the event and in the audit trail. */
export const VoidReason = Text.singleLine({ minimum: 1, maximum: 500, trimmed: true }).pipe(
  Schema.brand("VoidReason")
)
export type VoidReason = typeof VoidReason.Type

/**
 * A voided event as stored. The quantity is the stored decimal text, exactly: the event may be one
 * that today's rules refuse, which is why it was voided.
 */
export class VoidedUsageEvent extends Schema.Class<VoidedUsageEvent>("@securebase/core/VoidedUsageEvent")({
  customerId: CustomerId,
  eventId: Schema.String,
  metric: Schema.String,
  occurredAt: Schema.DateTimeUtc,
  quantity: Schema.String,
  period: Schema.String,
  voidedAt: Schema.DateTimeUtc,
  voidedBy: Schema.String,
  reason: Schema.String
}) {}

const refusals = {
  not_found: { code: "USAGE.EVENT_NOT_FOUND", text: "no such usage event" },
  already_voided: { code: "USAGE.EVENT_ALREADY_VOIDED", text: "the usage event is already voided" },
  period_invoiced: {
    code: "USAGE.PERIOD_INVOICED",
    text: "the event's period is already invoiced; its usage can no longer change"
  }
} as const

/** Why a void was refused. */
export const VoidRefusal = Schema.Literals(["not_found", "already_voided", "period_invoiced"])
export type VoidRefusal = typeof VoidRefusal.Type

/** A void was refused: unknown event, already voided, or its period already invoiced. */
export class UsageEventVoidRefused extends Schema.TaggedError<UsageEventVoidRefused>()(
  "UsageEventVoidRefused",
  {
    customerId: CustomerId,
    eventId: Schema.String,
    reason: VoidRefusal,
    period: Schema.optional(Schema.String)
  }
) {
  /** Stable error code, one per refusal. */
  get code(): string {
    return refusals[this.reason].code
  }
  override get message(): string {
    const where = this.period === undefined ? "" : ` (period ${this.period})`
    return `${refusals[this.reason].text}: ${this.eventId}${where}`
  }
}

/**
 * Voids `eventId` of `customerId` for `reason`, as the fiber's `CurrentPrincipal` (its actor is
 * recorded with the event and in the audit trail), in one tenant transaction.
 */
export const voidEvent = Effect.fn("UsageVoid.voidEvent")(function* (input: {
  readonly customerId: CustomerId
  readonly eventId: UsageEventId
  readonly reason: VoidReason
}) {
  const principal = yield* CurrentPrincipal
  // Not a user error: a caller that voids must say who it is, or the audit trail would lie.
  if (principal === undefined)
    return yield* Effect.die(new Error("UsageVoid.voidEvent needs a CurrentPrincipal"))
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    input.customerId,
    UsageEventRepo.use((repo) =>
      repo.voidEvent({
        customerId: input.customerId,
        eventId: input.eventId,
        reason: input.reason,
        actor: principal.actor
      })
    )
  )
})
