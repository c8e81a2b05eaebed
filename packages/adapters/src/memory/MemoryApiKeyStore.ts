/**
 * An in-memory `ApiKeyStore`: a real implementation (the limit check and the insert are one
 * synchronous step, hence atomic), used by tests and by the embedded default until the Postgres
 * store lands.
 */
import { ApiKey, ApiKeyStore, AuthError } from "@securebase/core"
import { DateTime, Effect, Layer, Option } from "effect"

/** Builds an empty store. */
export const make: Effect.Effect<ApiKeyStore.ApiKeyStore["Service"]> = Effect.sync(() => {
  const keys = new Map<ApiKey.ApiKeyId, ApiKey.ApiKeyRecord>()
  const ofCustomer = (customerId: ApiKey.ApiKey["customerId"]) =>
    Array.from(keys.values()).filter((k) => k.customerId === customerId)
  return ApiKeyStore.ApiKeyStore.of({
    findById: (id) => Effect.sync(() => Option.fromNullishOr(keys.get(id))),
    insert: (record, limit) =>
      Effect.suspend(() => {
        if (keys.has(record.id)) return Effect.die(new Error(`duplicate API key id ${record.id}`))
        if (ApiKey.countActive(ofCustomer(record.customerId), limit.now) >= limit.max)
          return Effect.fail(
            new AuthError.ApiKeyLimitReached({
              customerId: record.customerId,
              plan: limit.plan,
              limit: limit.max
            })
          )
        keys.set(record.id, record)
        return Effect.void
      }),
    list: (customerId) =>
      Effect.sync(() =>
        ofCustomer(customerId)
          .sort((a, b) => DateTime.toEpochMillis(b.createdAt) - DateTime.toEpochMillis(a.createdAt))
          .map(ApiKey.toApiKey)
      ),
    revoke: (customerId, id, at) =>
      Effect.sync(() => {
        const key = keys.get(id)
        if (key === undefined || key.customerId !== customerId) return Option.none()
        const revoked = key.revokedAt === undefined ? new ApiKey.ApiKeyRecord({ ...key, revokedAt: at }) : key
        keys.set(id, revoked)
        return Option.some(ApiKey.toApiKey(revoked))
      }),
    touch: (id, at) =>
      Effect.sync(() => {
        const key = keys.get(id)
        if (key !== undefined) keys.set(id, new ApiKey.ApiKeyRecord({ ...key, lastUsedAt: at }))
      }),
    countActive: (customerId, now) => Effect.sync(() => ApiKey.countActive(ofCustomer(customerId), now))
  })
})

/** The layer. */
export const layer: Layer.Layer<ApiKeyStore.ApiKeyStore> = Layer.effect(ApiKeyStore.ApiKeyStore, make)
