/**
 * The `LimitStore` a configuration names (`RATE_LIMIT_STORE`): the bounded in-memory default (per
 * process), Redis (`REDIS_URL`, keys under `RATE_LIMIT_KEY_PREFIX`) or DynamoDB (the table
 * `<DYNAMODB_TABLE>-limits`). One store serves the request rate limit, the tier limit and the
 * authentication throttle.
 *
 * A Redis that cannot be reached, or a DynamoDB table that does not exist, fails the start (a
 * misconfiguration should not look like a working limit); once started, an unreachable store makes the limits fail open (see
 * `RateLimiter`, `FailureThrottle`). node-redis's offline queue is disabled so that commands fail
 * at once while it reconnects instead of piling up.
 */
import { NodeRedis } from "@effect/platform-node"
import { DynamoClient, DynamoLimitStore, MemoryLimitStore, RedisLimitStore } from "@securebase/adapters"
import type { LimitStore } from "@securebase/core"
import { Effect, Layer, Option, Redacted } from "effect"
import type { Redis } from "effect/persistence"
import type { LimitStoreConfig } from "./Config.ts"

/** The store for a configuration; fails at start when the configured store cannot be used. */
export const layer = (
  config: LimitStoreConfig
): Layer.Layer<LimitStore.LimitStore, LimitStore.LimitStoreUnavailable | Redis.RedisError> => {
  switch (config.kind) {
    case "memory":
      return MemoryLimitStore.layer
    case "redis":
      return RedisLimitStore.layer({ prefix: config.keyPrefix }).pipe(
        Layer.provide(NodeRedis.layer({ url: Redacted.value(config.url), disableOfflineQueue: true }))
      )
    case "dynamodb":
      return Layer.unwrap(
        DynamoClient.DynamoClient.use((client) =>
          Effect.as(
            DynamoLimitStore.checkTable({ client, tableName: config.tableName }),
            DynamoLimitStore.layerWithClient({ client, tableName: config.tableName })
          )
        )
      ).pipe(
        Layer.provide(DynamoClient.DynamoClient.layer({ endpoint: Option.getOrUndefined(config.endpoint) }))
      )
  }
}
