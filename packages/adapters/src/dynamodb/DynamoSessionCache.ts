/**
 * `SessionCache` on DynamoDB (@aws-sdk/client-dynamodb v3), shared by every instance, so a
 * revocation on one evicts the key for all.
 *
 * One item per key id: the cached entry as JSON, `expiresAt` in epoch seconds (the table's TTL
 * attribute, for DynamoDB's background deletion) and `expiresAtMillis`, which every read checks:
 * DynamoDB deletes expired items only eventually (within days) and the emulators never, so an
 * item past its time is a miss whatever the table holds.
 *
 * `delete` writes a tombstone; `put` is conditional on there being no live tombstone, so a
 * lookup that read a key before its revocation cannot re-cache it afterwards. Reads are strongly
 * consistent so a revocation is seen by the very next request.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand
} from "@aws-sdk/client-dynamodb"
import { AuthError, SessionCache } from "@securebase/core"
import { Clock, Duration, Effect, Layer, Option, Result, Schema } from "effect"

/** Options of the DynamoDB cache. */
export interface Options {
  readonly client: DynamoDBClient
  readonly tableName: string
  /** How long a tombstone blocks re-caching a deleted key (default `SessionCache.defaultTtl`). */
  readonly tombstoneTtl?: Duration.Duration
}

/** The partition key attribute. */
export const keyAttribute = "keyId"
/** The TTL attribute (epoch seconds) to enable on the table. */
export const ttlAttribute = "expiresAt"

const EntryJson = Schema.fromJsonString(SessionCache.CachedKey)
const encodeEntry = Schema.encodeSync(EntryJson)
const decodeEntry = Schema.decodeUnknownResult(EntryJson)

const unavailable = (operation: string) => (cause: unknown) =>
  new AuthError.AuthBackendUnavailable({ backend: "dynamodb", operation, cause })

/** Builds the cache over an existing table (see `DynamoTables.createSessionCacheTable`). */
export const make = (options: Options): SessionCache.SessionCache["Service"] => {
  const { client, tableName } = options
  const tombstoneMillis = Duration.toMillis(options.tombstoneTtl ?? SessionCache.defaultTtl)
  const expiry = (expiresAtMillis: number) => ({
    [ttlAttribute]: { N: String(Math.ceil(expiresAtMillis / 1000)) },
    expiresAtMillis: { N: String(expiresAtMillis) }
  })

  return SessionCache.SessionCache.of({
    get: (keyId) =>
      Effect.gen(function* () {
        const out = yield* Effect.tryPromise({
          try: (signal) =>
            client.send(
              new GetItemCommand({
                TableName: tableName,
                Key: { [keyAttribute]: { S: keyId } },
                ConsistentRead: true
              }),
              { abortSignal: signal }
            ),
          catch: unavailable("GetItem")
        })
        const now = yield* Clock.currentTimeMillis
        const item = out.Item
        if (item === undefined || item.tombstone?.BOOL === true) return Option.none()
        const expiresAt = Number(item.expiresAtMillis?.N)
        if (!(now < expiresAt)) return Option.none()
        // An item that does not decode (an older format, a hand edit) is a miss, never a pass.
        const entry = decodeEntry(item.entry?.S)
        return Result.isSuccess(entry) && entry.success.keyId === keyId
          ? Option.some(entry.success)
          : Option.none()
      }),
    put: (entry, ttl) =>
      Effect.gen(function* () {
        const ttlMillis = Duration.toMillis(ttl)
        if (ttlMillis <= 0) return
        const now = yield* Clock.currentTimeMillis
        yield* Effect.tryPromise({
          try: (signal) =>
            client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: {
                  [keyAttribute]: { S: entry.keyId },
                  entry: { S: encodeEntry(entry) },
                  ...expiry(now + ttlMillis)
                },
                ConditionExpression: "attribute_not_exists(tombstone) OR expiresAtMillis <= :now",
                ExpressionAttributeValues: { ":now": { N: String(now) } }
              }),
              { abortSignal: signal }
            ),
          catch: (cause) =>
            cause instanceof ConditionalCheckFailedException ? "tombstoned" : unavailable("PutItem")(cause)
        }).pipe(
          // A live tombstone means the key was revoked meanwhile: not caching it is the point.
          Effect.catchIf(
            (e) => e === "tombstoned",
            () => Effect.void
          ),
          Effect.asVoid
        )
      }),
    delete: (keyId) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        yield* Effect.tryPromise({
          try: (signal) =>
            client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: {
                  [keyAttribute]: { S: keyId },
                  tombstone: { BOOL: true },
                  ...expiry(now + tombstoneMillis)
                }
              }),
              { abortSignal: signal }
            ),
          catch: unavailable("PutItem")
        })
      })
  })
}

/** The cache over a client the caller owns. */
export const layerWithClient = (options: Options): Layer.Layer<SessionCache.SessionCache> =>
  Layer.sync(SessionCache.SessionCache, () => make(options))

/** The cache with its own client, destroyed when the layer is released. */
export const layer = (options: {
  readonly tableName: string
  readonly clientConfig?: DynamoDBClientConfig
  readonly tombstoneTtl?: Duration.Duration
}): Layer.Layer<SessionCache.SessionCache> =>
  Layer.effect(
    SessionCache.SessionCache,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new DynamoDBClient(options.clientConfig ?? {})),
        (client) => Effect.sync(() => client.destroy())
      ),
      (client) =>
        make({
          client,
          tableName: options.tableName,
          ...(options.tombstoneTtl === undefined ? {} : { tombstoneTtl: options.tombstoneTtl })
        })
    )
  )
