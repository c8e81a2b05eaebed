/**
 * Creating the DynamoDB tables the adapters use (for deployment scripts, local runs and tests;
 * production may create them with infrastructure code instead, with the same shape).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand
} from "@aws-sdk/client-dynamodb"
import { AuthError } from "@securebase/core"
import { Effect, Schedule } from "effect"
import * as DynamoLimitStore from "./DynamoLimitStore.ts"
import * as DynamoPaymentRecords from "./DynamoPaymentRecords.ts"
import * as DynamoSessionCache from "./DynamoSessionCache.ts"
import * as DynamoSessionRevocations from "./DynamoSessionRevocations.ts"

const unavailable = (operation: string) => (cause: unknown) =>
  new AuthError.AuthBackendUnavailable({ backend: "dynamodb", operation, cause })

const errorName = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "name" in cause ? String(cause.name) : undefined

/**
 * Creates a table (on-demand billing, one string partition key) if it does not exist, waits until
 * it is ACTIVE and enables TTL on `ttlAttribute` (when given). An endpoint without TTL support (the
 * dynalite emulator) is tolerated: the adapters check expiry on every read anyway.
 */
export const createTable = (options: {
  readonly client: DynamoDBClient
  readonly tableName: string
  readonly keyAttribute: string
  readonly ttlAttribute?: string | undefined
}) =>
  Effect.gen(function* () {
    const { client, tableName, keyAttribute, ttlAttribute } = options
    yield* Effect.tryPromise({
      try: () =>
        client.send(
          new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: "S" }],
            KeySchema: [{ AttributeName: keyAttribute, KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST"
          })
        ),
      catch: (cause) =>
        cause instanceof ResourceInUseException ? "exists" : unavailable("CreateTable")(cause)
    }).pipe(
      Effect.catchIf(
        (e) => e === "exists",
        () => Effect.void
      )
    )

    yield* Effect.tryPromise({
      try: () => client.send(new DescribeTableCommand({ TableName: tableName })),
      catch: unavailable("DescribeTable")
    }).pipe(
      Effect.filterOrFail(
        (out) => out.Table?.TableStatus === "ACTIVE",
        () => unavailable("DescribeTable")(new Error(`table ${tableName} is not ACTIVE yet`))
      ),
      Effect.retry({ schedule: Schedule.spaced("250 millis"), times: 240 })
    )

    if (ttlAttribute === undefined) return
    yield* Effect.tryPromise({
      try: () =>
        client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute }
          })
        ),
      catch: (cause) => {
        const name = errorName(cause)
        // dynalite: UnknownOperationException. Real DynamoDB on a re-run: "already enabled".
        return name === "UnknownOperationException" ||
          (name === "ValidationException" && /already enabled/i.test(String((cause as Error).message)))
          ? "tolerated"
          : unavailable("UpdateTimeToLive")(cause)
      }
    }).pipe(
      Effect.catchIf(
        (e) => e === "tolerated",
        () => Effect.void
      )
    )
  })

/** Creates the session-cache table (`keyId` partition key, TTL on `expiresAt`). */
export const createSessionCacheTable = (options: {
  readonly client: DynamoDBClient
  readonly tableName: string
}) =>
  createTable({
    ...options,
    keyAttribute: DynamoSessionCache.keyAttribute,
    ttlAttribute: DynamoSessionCache.ttlAttribute
  })

/** Creates the session deny-list table (`id` partition key, TTL on `expiresAt`). */
export const createSessionRevocationsTable = (options: {
  readonly client: DynamoDBClient
  readonly tableName: string
}) =>
  createTable({
    ...options,
    keyAttribute: DynamoSessionRevocations.keyAttribute,
    ttlAttribute: DynamoSessionRevocations.ttlAttribute
  })

/** Creates the limits table (`id` partition key, TTL on `expiresAt`). */
export const createLimitTable = (options: { readonly client: DynamoDBClient; readonly tableName: string }) =>
  createTable({
    ...options,
    keyAttribute: DynamoLimitStore.keyAttribute,
    ttlAttribute: DynamoLimitStore.ttlAttribute
  })

/** Creates the payment records table (`id` partition key; its items are kept, so no TTL). */
export const createPaymentRecordsTable = (options: {
  readonly client: DynamoDBClient
  readonly tableName: string
}) => createTable({ ...options, keyAttribute: DynamoPaymentRecords.keyAttribute })
