/**
 * `LimitStore` on DynamoDB (@aws-sdk/client-dynamodb v3), shared by every instance and every
 * Lambda container: one item per key (`count`, `startedAt`, `lastAt`, `expiresAtMillis`, and
 * `expiresAt` in epoch seconds, the table's TTL attribute).
 *
 * A hit is a conditional `UpdateItem` (`count = count + 1` if the counter is live and below
 * `max`), so concurrent hits from any number of instances never pass `max`. When the condition
 * fails, a consistent read tells why: a counter at `max` is reported uncounted; a missing or
 * lapsed one is replaced by a conditional `PutItem` (if still missing or lapsed), and a lost race
 * retries. DynamoDB deletes expired items only eventually and the emulators never, so every read
 * checks `expiresAtMillis` itself.
 */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand
} from "@aws-sdk/client-dynamodb"
import { LimitStore } from "@securebase/core"
import { Duration, Effect, Layer, Option } from "effect"

/** Options of the DynamoDB store. */
export interface Options {
  readonly client: DynamoDBClient
  readonly tableName: string
  /** The longest one DynamoDB call may take before it counts as unavailable (default 1 s). */
  readonly timeout?: Duration.Input
}

/** The partition key attribute. */
export const keyAttribute = "id"
/** The TTL attribute (epoch seconds) to enable on the table. */
export const ttlAttribute = "expiresAt"

/** Conditional writes that lose a race are retried this many times before giving up. */
const maxAttempts = 8

type Item = Record<string, { N?: string; S?: string }>

const windowOf = (item: Item | undefined): LimitStore.Window | undefined => {
  if (item === undefined) return undefined
  const count = Number(item.count?.N)
  const startedAt = Number(item.startedAt?.N)
  const lastAt = Number(item.lastAt?.N)
  const expiresAt = Number(item.expiresAtMillis?.N)
  return [count, startedAt, lastAt, expiresAt].every(Number.isFinite)
    ? { count, startedAt, lastAt, expiresAt }
    : undefined
}

/** Builds the store over an existing table (see `DynamoTables.createLimitTable`). */
export const make = (options: Options): LimitStore.LimitStore["Service"] => {
  const { client, tableName } = options
  const timeout = Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(1))
  // A failed condition is an answer (the caller decides what it means), not an outage.
  const call = <A>(
    operation: string,
    send: (signal: AbortSignal) => Promise<A>
  ): Effect.Effect<A | "condition", LimitStore.LimitStoreUnavailable> =>
    Effect.tryPromise({
      try: send,
      catch: (cause) =>
        cause instanceof ConditionalCheckFailedException
          ? ("condition" as const)
          : new LimitStore.LimitStoreUnavailable({ store: "dynamodb", operation, cause })
    }).pipe(
      Effect.catchIf(
        (e) => e === "condition",
        (e) => Effect.succeed(e)
      ),
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new LimitStore.LimitStoreUnavailable({
              store: "dynamodb",
              operation,
              cause: new Error(`no answer within ${Duration.format(timeout)}`)
            })
          )
      })
    )
  const key = (id: string) => ({ [keyAttribute]: { S: id } })

  const read = (id: string) =>
    call("GetItem", (signal) =>
      client.send(new GetItemCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }), {
        abortSignal: signal
      })
    ).pipe(Effect.map((out) => (out === "condition" ? undefined : windowOf(out.Item as Item | undefined))))

  const increment = (id: string, now: number, max: number | undefined) =>
    call("UpdateItem", (signal) =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: "SET #count = #count + :one, lastAt = :now",
          ConditionExpression:
            max === undefined ? "expiresAtMillis > :now" : "expiresAtMillis > :now AND #count < :max",
          ExpressionAttributeNames: { "#count": "count" },
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":now": { N: String(now) },
            ...(max === undefined ? {} : { ":max": { N: String(max) } })
          },
          ReturnValues: "ALL_NEW"
        }),
        { abortSignal: signal }
      )
    ).pipe(Effect.map((out) => (out === "condition" ? out : windowOf(out.Attributes as Item | undefined))))

  const start = (id: string, now: number, ttlMillis: number) =>
    call("PutItem", (signal) =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...key(id),
            count: { N: "1" },
            startedAt: { N: String(now) },
            lastAt: { N: String(now) },
            expiresAtMillis: { N: String(now + ttlMillis) },
            [ttlAttribute]: { N: String(Math.ceil((now + ttlMillis) / 1000)) }
          },
          ConditionExpression: `attribute_not_exists(${keyAttribute}) OR expiresAtMillis <= :now`,
          ExpressionAttributeValues: { ":now": { N: String(now) } }
        }),
        { abortSignal: signal }
      )
    )

  const unexpected = (operation: string) =>
    new LimitStore.LimitStoreUnavailable({
      store: "dynamodb",
      operation,
      cause: new Error("the item does not have the counter's shape")
    })

  const hitOnce = (id: string, { now, ttlMillis, max }: LimitStore.HitOptions) =>
    Effect.gen(function* () {
      const incremented = yield* increment(id, now, max)
      if (incremented !== "condition") {
        if (incremented === undefined) return yield* unexpected("UpdateItem")
        return Option.some<LimitStore.Hit>({ ...incremented, counted: true })
      }
      const current = yield* read(id)
      if (current !== undefined && now < current.expiresAt) {
        // Live: the condition failed on `max`, or the counter appeared since the update.
        return max !== undefined && current.count >= max
          ? Option.some<LimitStore.Hit>({ ...current, counted: false })
          : Option.none()
      }
      const started = yield* start(id, now, ttlMillis)
      return started === "condition"
        ? Option.none()
        : Option.some<LimitStore.Hit>({
            count: 1,
            startedAt: now,
            lastAt: now,
            expiresAt: now + ttlMillis,
            counted: true
          })
    })

  return LimitStore.LimitStore.of({
    hit: (id, options) =>
      Effect.gen(function* () {
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          const hit = yield* hitOnce(id, options)
          if (Option.isSome(hit)) return hit.value
        }
        return yield* new LimitStore.LimitStoreUnavailable({
          store: "dynamodb",
          operation: "hit",
          cause: new Error(`lost ${maxAttempts} races in a row`)
        })
      }),
    peek: (id, now) =>
      Effect.map(read(id), (window) =>
        window !== undefined && now < window.expiresAt ? Option.some(window) : Option.none()
      )
  })
}

/**
 * Fails with `LimitStoreUnavailable` unless the table exists and is ACTIVE: for a start-up check,
 * so that a missing table stops the start instead of looking like a working limit.
 */
export const checkTable = (options: Pick<Options, "client" | "tableName">) =>
  Effect.tryPromise({
    try: (signal) =>
      options.client.send(new DescribeTableCommand({ TableName: options.tableName }), {
        abortSignal: signal
      }),
    catch: (cause) =>
      new LimitStore.LimitStoreUnavailable({ store: "dynamodb", operation: "DescribeTable", cause })
  }).pipe(
    Effect.timeoutOrElse({
      duration: "10 seconds",
      orElse: () =>
        Effect.fail(
          new LimitStore.LimitStoreUnavailable({
            store: "dynamodb",
            operation: "DescribeTable",
            cause: new Error("no answer within 10 s")
          })
        )
    }),
    Effect.flatMap((out) =>
      out.Table?.TableStatus === "ACTIVE"
        ? Effect.void
        : Effect.fail(
            new LimitStore.LimitStoreUnavailable({
              store: "dynamodb",
              operation: "DescribeTable",
              cause: new Error(`table ${options.tableName} is ${out.Table?.TableStatus ?? "missing"}`)
            })
          )
    )
  )

/** The store over a DynamoDB client and table. */
export const layerWithClient = (options: Options): Layer.Layer<LimitStore.LimitStore> =>
  Layer.succeed(LimitStore.LimitStore, make(options))
