/**
 * The `audit_events` row an application writes, defined once: `PgAuditLog` appends one event and
 * `PgBillingBatch` many per statement, with the same payload encoding. The application sends only
 * the content; the trigger sets the actor, the database role, the time and the chain.
 */
import { AuditEvent } from "@securebase/core"
import { Effect, Schema } from "effect"

const encodePayload = Schema.encodeEffect(AuditEvent.NewAuditEvent.fields.payload)

/** The `audit_events` columns of a new event (its payload encoded by the core's schema). */
export const write = (event: AuditEvent.NewAuditEvent) =>
  Effect.map(Effect.orDie(encodePayload(event.payload)), (payload) => ({
    customer_id: event.customerId,
    action: event.action,
    subject_type: event.subjectType,
    subject_id: event.subjectId,
    payload: JSON.stringify(payload)
  }))
