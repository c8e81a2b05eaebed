/**
 * `SessionRevocations` on DynamoDB: the deny list shared by every instance (and Lambda), so a
 * session revoked through one is refused by all.
 *
 * One table, partition key `id`: `session#<jti>` items for single sessions and `key#<keyId>`
 * items holding the revocation time of a key. Items carry `expiresAt` (epoch seconds, the TTL
 * attribute) and `expiresAtMillis`, checked on every read since expired items linger. A key's
 * item is only ever moved forward: a conditional write keeps the latest revocation.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand
} from "@aws-sdk/client-dynamodb"
import { AuthError, SessionRevocations } from "@securebase/core"
import { Clock, DateTime, Effect, Layer } from "effect"

/** The partition key attribute. */
export const keyAttribute = "id"
/** The TTL attribute (epoch seconds) to enable on the table. */
export const ttlAttribute = "expiresAt"

/** Options of the DynamoDB deny list. */
export interface Options {
  readonly client: DynamoDBClient
  readonly tableName: string
}

const unavailable = (operation: string) => (cause: unknown) =>
  new AuthError.AuthBackendUnavailable({ backend: "dynamodb", operation, cause })

/** Builds the deny list over an existing table (see `DynamoTables.createSessionRevocationsTable`). */
export const make = (options: Options): SessionRevocations.SessionRevocations["Service"] => {
  const { client, tableName } = options
  const expiry = (until: DateTime.Utc) => {
    const millis = DateTime.toEpochMillis(until)
    return {
      [ttlAttribute]: { N: String(Math.ceil(millis / 1000)) },
      expiresAtMillis: { N: String(millis) }
    }
  }
  const get = (id: string) =>
    Effect.tryPromise({
      try: (signal) =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [keyAttribute]: { S: id } },
            ConsistentRead: true
          }),
          { abortSignal: signal }
        ),
      catch: unavailable("GetItem")
    }).pipe(Effect.map((out) => out.Item))

  return SessionRevocations.SessionRevocations.of({
    revokeSession: ({ sessionId }, until) =>
      Effect.tryPromise({
        try: (signal) =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { [keyAttribute]: { S: `session#${sessionId}` }, ...expiry(until) }
            }),
            { abortSignal: signal }
          ),
        catch: unavailable("PutItem")
      }).pipe(Effect.asVoid),
    revokeKey: (keyId, at, until) =>
      Effect.tryPromise({
        try: (signal) =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                [keyAttribute]: { S: `key#${keyId}` },
                revokedAtMillis: { N: String(DateTime.toEpochMillis(at)) },
                ...expiry(until)
              },
              ConditionExpression: "attribute_not_exists(revokedAtMillis) OR revokedAtMillis <= :at",
              ExpressionAttributeValues: { ":at": { N: String(DateTime.toEpochMillis(at)) } }
            }),
            { abortSignal: signal }
          ),
        catch: (cause) =>
          cause instanceof ConditionalCheckFailedException ? "later" : unavailable("PutItem")(cause)
      }).pipe(
        // A later revocation of the same key is already recorded: it covers this one.
        Effect.catchIf(
          (e) => e === "later",
          () => Effect.void
        ),
        Effect.asVoid
      ),
    isRevoked: ({ sessionId, keyId, issuedAt }) =>
      Effect.gen(function* () {
        const [session, key] = yield* Effect.all([get(`session#${sessionId}`), get(`key#${keyId}`)], {
          concurrency: 2
        })
        const now = yield* Clock.currentTimeMillis
        const live = (item: typeof session) => item !== undefined && now < Number(item.expiresAtMillis?.N)
        if (live(session)) return true
        return live(key) && issuedAt * 1000 <= Number(key!.revokedAtMillis?.N)
      })
  })
}

/** The deny list over a client the caller owns. */
export const layerWithClient = (options: Options): Layer.Layer<SessionRevocations.SessionRevocations> =>
  Layer.sync(SessionRevocations.SessionRevocations, () => make(options))
