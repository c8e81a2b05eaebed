/**
 * Audit handlers. Both run inside the customer's own tenancy transaction, so row-level security
 * shows the chain of the authenticated customer and nobody else's; the checkpoint is looked up
 * for that customer only.
 */
import {
  type AuditCheckpoint,
  AuditCheckpointStore,
  AuditCheckpoints,
  AuditKeyRing,
  AuditLog,
  type Ids
} from "@securebase/core"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest, ServiceUnavailable } from "../api/ApiErrors.ts"
import { asTenant } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

const decodeCursor = (cursor: string) =>
  /^[1-9]\d{0,15}$/.test(cursor)
    ? Effect.succeed(Number(cursor))
    : Effect.fail(new BadRequest({ code: "REQUEST.INVALID", message: "invalid cursor", field: "cursor" }))

const storeUnavailable = (e: AuditCheckpointStore.CheckpointStoreFailure) =>
  Effect.andThen(
    Effect.logError("checkpoint store failure", { operation: e.operation, reason: e.reason }),
    Effect.fail(
      new ServiceUnavailable({ code: e.code, message: "the checkpoint store is temporarily unavailable" })
    )
  )

const verification = (v: AuditCheckpoint.AnchorVerification) =>
  v._tag === "AnchorHolds"
    ? {
        status: "intact" as const,
        events: v.events,
        checkpointSeq: v.checkpointSeq,
        unanchored: v.unanchored,
        failure: null
      }
    : {
        status: "broken" as const,
        events: null,
        checkpointSeq: v.checkpointSeq,
        unanchored: null,
        failure: { seq: v.seq, eventId: v.eventId, reason: v.reason }
      }

const latestOf = (customerId: Ids.CustomerId) =>
  AuditCheckpointStore.AuditCheckpointStore.use((store) => store.latest(customerId)).pipe(
    // An unreadable checkpoint is not the customer's to see; the verdict reports it.
    Effect.catchTag("CheckpointUnreadable", () => Effect.succeedNone),
    Effect.map(Option.getOrNull)
  )

/** The handlers of the `audit` group. */
export const layer = HttpApiBuilder.group(Api, "audit", (handlers) =>
  Effect.succeed(
    handlers
      .handle("events", ({ query }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const before = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor)
          const limit = query.limit ?? 50
          // One more than asked tells whether another page follows.
          const events = yield* asTenant(
            identity.customerId,
            AuditLog.AuditLog.use((log) => log.page(identity.customerId, { before, limit: limit + 1 }))
          )
          const page = events.slice(0, limit)
          return {
            data: page,
            nextCursor: events.length > limit ? String(page[page.length - 1]!.seq) : null
          }
        })
      )
      .handle("checkpoint", () =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const ring = yield* AuditKeyRing.AuditKeyRing
          const [checkpoint, verdict] = yield* asTenant(
            identity.customerId,
            Effect.all([latestOf(identity.customerId), AuditCheckpoints.verify(identity.customerId)])
          ).pipe(Effect.catchTag("CheckpointStoreFailure", storeUnavailable))
          return {
            checkpoint,
            verification: verification(verdict),
            keys: ring.keys.map((k) => ({ keyId: k.keyId, algorithm: k.algorithm, publicKey: k.publicKey }))
          }
        })
      )
  )
)
