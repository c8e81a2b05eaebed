/**
 * `PaymentRecords` on DynamoDB (`PAYMENT_RECORDS=dynamodb`, for Lambda): one table, partition key
 * `id`, every write conditional.
 *
 * - Links are two items each, one per direction: `customer#<provider>#<customer>` →
 *   the provider's customer and `provider-customer#<provider>#<provider customer>` → ours (the same
 *   for invoices, the link itself under `invoice#<invoice>`). The provider-side item is written
 *   first, only if absent or already ours: a provider id linked to another of ours is refused (a
 *   defect, as the unique index makes it on PostgreSQL). Readers follow a pointer only when the
 *   other direction agrees, so a pointer left by a link that lost its race is never believed.
 * - `advanceInvoiceState` is one UpdateItem whose condition compares the stored state time
 *   (`stateAtMillis`): an older event never overwrites a newer state.
 * - `recordEvent` claims `event#<provider>#<id>` with a PutItem that succeeds only when the item is
 *   absent, or `processing` under an expired lease; the claim is made `done` (or deleted, when the
 *   effect failed) by `settleEvent`, conditional on this claim's token. A delivery that finds the
 *   event `done` is a duplicate; one that finds it `processing` within its lease fails with
 *   `PaymentEventInProgress`, and the provider retries later. The lease must outlast the longest
 *   processing (the function's timeout): a claim taken over after it expired re-applies an effect
 *   that may still be committing, which the PostgreSQL side absorbs (a paid invoice is not paid
 *   again) but might audit twice.
 * - `recordAttempt` is a PutItem under `attempt#<provider>#<event>` if absent (amounts as DynamoDB
 *   numbers, exact to 38 digits).
 *
 * There is no row-level security here: the callers are the payment worker and the push delivery,
 * and the one tenant-facing read (`GET /invoices/{id}/payment`) finds the invoice under RLS first.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand
} from "@aws-sdk/client-dynamodb"
import { type Ids, PaymentRecords, PersistenceError } from "@securebase/core"
import { Clock, DateTime, Duration, Effect, Layer, Option } from "effect"

/** The partition key attribute. */
export const keyAttribute = "id"

/** Options of the DynamoDB payment records. */
export interface Options {
  readonly client: DynamoDBClient
  readonly tableName: string
  /** How long a claim on an event holds before another delivery may take it over (default 5 minutes). */
  readonly lease?: Duration.Input | undefined
}

type Item = Record<string, AttributeValue>

const errorName = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "name" in cause ? String(cause.name) : "Unknown"

/** The ConditionalCheckFailed of a conditional write, apart from every other failure. */
const conditionFailed = { _tag: "ConditionFailed" } as const

const s = (value: string): AttributeValue => ({ S: value })
const n = (value: bigint | number): AttributeValue => ({ N: value.toString() })
const text = (item: Item, name: string): string | undefined => item[name]?.S
const millis = (item: Item, name: string): number | undefined =>
  item[name]?.N === undefined ? undefined : Number(item[name].N)

const customerKey = (provider: string, customerId: string) => `customer#${provider}#${customerId}`
const providerCustomerKey = (provider: string, id: string) => `provider-customer#${provider}#${id}`
const invoiceKey = (invoiceId: string) => `invoice#${invoiceId}`
const providerInvoiceKey = (provider: string, id: string) => `provider-invoice#${provider}#${id}`
const eventKey = (provider: string, id: string) => `event#${provider}#${id}`
const attemptKey = (provider: string, eventId: string) => `attempt#${provider}#${eventId}`

/** Fails with `PersistenceFailure` when the table is absent or not ACTIVE (checked at start). */
export const checkTable = (options: Pick<Options, "client" | "tableName">) =>
  Effect.tryPromise({
    try: (signal) =>
      options.client.send(new DescribeTableCommand({ TableName: options.tableName }), {
        abortSignal: signal
      }),
    catch: (cause) =>
      new PersistenceError.PersistenceFailure({
        operation: "PaymentRecords.DescribeTable",
        kind: errorName(cause)
      })
  }).pipe(
    Effect.timeoutOrElse({
      duration: "10 seconds",
      orElse: () =>
        Effect.fail(
          new PersistenceError.PersistenceFailure({
            operation: "PaymentRecords.DescribeTable",
            kind: "Timeout"
          })
        )
    }),
    Effect.flatMap((out) =>
      out.Table?.TableStatus === "ACTIVE"
        ? Effect.void
        : Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "PaymentRecords.DescribeTable",
              kind: `table ${options.tableName} is ${out.Table?.TableStatus ?? "absent"}`
            })
          )
    )
  )

/** Builds the records over an existing table (see `DynamoTables.createPaymentRecordsTable`). */
export const make = (options: Options): PaymentRecords.PaymentRecords["Service"] => {
  const { client, tableName } = options
  const lease = Duration.toMillis(Duration.fromInputUnsafe(options.lease ?? "5 minutes"))
  // The tokens of the claims this process holds, so a settle never ends another delivery's claim.
  const claims = new Map<string, string>()

  const send = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({
      try: run,
      catch: (cause) =>
        cause instanceof ConditionalCheckFailedException
          ? conditionFailed
          : new PersistenceError.PersistenceFailure({
              operation: `PaymentRecords.${operation}`,
              kind: errorName(cause)
            })
    })

  /** A conditional write: true when written, false when its condition did not hold. */
  const conditional = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) =>
    send(operation, run).pipe(
      Effect.as(true),
      Effect.catchIf(
        (e): e is typeof conditionFailed => e === conditionFailed,
        () => Effect.succeed(false)
      )
    ) as Effect.Effect<boolean, PersistenceError.PersistenceFailure>

  const get = (operation: string, key: string) =>
    (
      send(operation, (signal) =>
        client.send(
          new GetItemCommand({ TableName: tableName, Key: { [keyAttribute]: s(key) }, ConsistentRead: true }),
          { abortSignal: signal }
        )
      ) as Effect.Effect<{ Item?: Item | undefined }, PersistenceError.PersistenceFailure>
    ).pipe(Effect.map((out) => Option.fromNullishOr(out.Item)))

  const putIfAbsent = (
    operation: string,
    item: Item,
    orSame?: { readonly name: string; readonly value: string }
  ) =>
    conditional(operation, (signal) =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression:
            orSame === undefined ? "attribute_not_exists(#id)" : "attribute_not_exists(#id) OR #same = :same",
          ExpressionAttributeNames:
            orSame === undefined ? { "#id": keyAttribute } : { "#id": keyAttribute, "#same": orSame.name },
          ...(orSame === undefined ? {} : { ExpressionAttributeValues: { ":same": s(orSame.value) } })
        }),
        { abortSignal: signal }
      )
    )

  const deleteIf = (operation: string, key: string, name: string, value: string) =>
    conditional(operation, (signal) =>
      client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: { [keyAttribute]: s(key) },
          ConditionExpression: "#n = :v",
          ExpressionAttributeNames: { "#n": name },
          ExpressionAttributeValues: { ":v": s(value) }
        }),
        { abortSignal: signal }
      )
    )

  const customerLink = (provider: string, customerId: Ids.CustomerId) =>
    Effect.map(get("customerLink", customerKey(provider, customerId)), (item) =>
      Option.flatMapNullishOr(item, (i) => text(i, "providerCustomerId"))
    )

  const linkCustomer = (provider: string, customerId: Ids.CustomerId, providerCustomerId: string) =>
    Effect.gen(function* () {
      const pointer = providerCustomerKey(provider, providerCustomerId)
      const claimed = yield* putIfAbsent(
        "linkCustomer",
        { [keyAttribute]: s(pointer), customerId: s(customerId) },
        { name: "customerId", value: customerId }
      )
      if (!claimed)
        return yield* Effect.die(
          new Error(`provider customer ${providerCustomerId} is already linked to another customer`)
        )
      const linked = yield* putIfAbsent("linkCustomer", {
        [keyAttribute]: s(customerKey(provider, customerId)),
        providerCustomerId: s(providerCustomerId)
      })
      if (linked) return
      // The customer was linked before (the first link stays): withdraw the pointer just written,
      // unless it is the link's own.
      const existing = yield* customerLink(provider, customerId)
      if (Option.isSome(existing) && existing.value !== providerCustomerId)
        yield* deleteIf("linkCustomer", pointer, "customerId", customerId)
    })

  const customerOfProvider = (provider: string, providerCustomerId: string) =>
    Effect.gen(function* () {
      const pointer = yield* get("customerOfProvider", providerCustomerKey(provider, providerCustomerId))
      const customerId = Option.flatMapNullishOr(
        pointer,
        (i) => text(i, "customerId") as Ids.CustomerId | undefined
      )
      if (Option.isNone(customerId)) return Option.none<Ids.CustomerId>()
      const back = yield* customerLink(provider, customerId.value)
      return Option.isSome(back) && back.value === providerCustomerId
        ? customerId
        : Option.none<Ids.CustomerId>()
    })

  const toLink = (item: Item): PaymentRecords.InvoiceLink => {
    const stateAt = millis(item, "stateAtMillis")
    return {
      invoiceId: text(item, "invoiceId") as Ids.InvoiceId,
      customerId: text(item, "customerId") as Ids.CustomerId,
      provider: text(item, "provider") ?? "",
      providerInvoiceId: text(item, "providerInvoiceId") ?? "",
      hostedUrl: text(item, "hostedUrl") ?? null,
      state: text(item, "state") ?? "",
      stateAt: stateAt === undefined ? null : DateTime.makeUnsafe(stateAt)
    }
  }

  const invoiceLink = (invoiceId: Ids.InvoiceId) =>
    Effect.map(get("invoiceLink", invoiceKey(invoiceId)), Option.map(toLink))

  const invoiceOfProvider = (provider: string, providerInvoiceId: string) =>
    Effect.gen(function* () {
      const pointer = yield* get("invoiceOfProvider", providerInvoiceKey(provider, providerInvoiceId))
      const invoiceId = Option.flatMapNullishOr(
        pointer,
        (i) => text(i, "invoiceId") as Ids.InvoiceId | undefined
      )
      if (Option.isNone(invoiceId)) return Option.none<PaymentRecords.InvoiceLink>()
      return Option.filter(
        yield* invoiceLink(invoiceId.value),
        (link) => link.provider === provider && link.providerInvoiceId === providerInvoiceId
      )
    })

  const linkInvoice = (link: PaymentRecords.InvoiceLink) =>
    Effect.gen(function* () {
      const pointer = providerInvoiceKey(link.provider, link.providerInvoiceId)
      const claimed = yield* putIfAbsent(
        "linkInvoice",
        { [keyAttribute]: s(pointer), invoiceId: s(link.invoiceId) },
        { name: "invoiceId", value: link.invoiceId }
      )
      if (!claimed)
        return yield* Effect.die(
          new Error(`provider invoice ${link.providerInvoiceId} is already linked to another invoice`)
        )
      const linked = yield* putIfAbsent("linkInvoice", {
        [keyAttribute]: s(invoiceKey(link.invoiceId)),
        invoiceId: s(link.invoiceId),
        customerId: s(link.customerId),
        provider: s(link.provider),
        providerInvoiceId: s(link.providerInvoiceId),
        state: s(link.state),
        ...(link.hostedUrl === null ? {} : { hostedUrl: s(link.hostedUrl) }),
        ...(link.stateAt === null ? {} : { stateAtMillis: n(DateTime.toEpochMillis(link.stateAt)) })
      })
      if (linked) return
      const existing = yield* invoiceLink(link.invoiceId)
      if (Option.isSome(existing) && existing.value.providerInvoiceId !== link.providerInvoiceId)
        yield* deleteIf("linkInvoice", pointer, "invoiceId", link.invoiceId)
    })

  const advanceInvoiceState = (invoiceId: Ids.InvoiceId, state: string, at: DateTime.Utc) =>
    conditional("advanceInvoiceState", (signal) =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [keyAttribute]: s(invoiceKey(invoiceId)) },
          UpdateExpression: "SET #state = :state, #at = :at",
          // Not older than the stored state; out of paid only to refunded, or to paid again as of
          // the same time (a redelivery redoing its effect).
          ConditionExpression:
            "attribute_exists(#id) AND (attribute_not_exists(#at) OR #at <= :at)" +
            (state === "refunded" ? "" : " AND (#state <> :paid OR (#state = :state AND #at = :at))"),
          ExpressionAttributeNames: { "#id": keyAttribute, "#state": "state", "#at": "stateAtMillis" },
          ExpressionAttributeValues: {
            ":state": s(state),
            ":at": n(DateTime.toEpochMillis(at)),
            ...(state === "refunded" ? {} : { ":paid": s("paid") })
          }
        }),
        { abortSignal: signal }
      )
    )

  const recordEvent = (event: {
    readonly provider: string
    readonly id: string
    readonly type: string
    readonly createdAt: DateTime.Utc
    readonly customerId: Ids.CustomerId | null
  }) =>
    Effect.gen(function* () {
      const key = eventKey(event.provider, event.id)
      const now = yield* Clock.currentTimeMillis
      const token = globalThis.crypto.randomUUID()
      const claimed = yield* conditional("recordEvent", (signal) =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              [keyAttribute]: s(key),
              type: s(event.type),
              createdAtMillis: n(DateTime.toEpochMillis(event.createdAt)),
              ...(event.customerId === null ? {} : { customerId: s(event.customerId) }),
              status: s("processing"),
              claim: s(token),
              leaseUntilMillis: n(now + lease)
            },
            ConditionExpression: "attribute_not_exists(#id) OR (#status = :processing AND #lease < :now)",
            ExpressionAttributeNames: {
              "#id": keyAttribute,
              "#status": "status",
              "#lease": "leaseUntilMillis"
            },
            ExpressionAttributeValues: { ":processing": s("processing"), ":now": n(now) }
          }),
          { abortSignal: signal }
        )
      )
      if (claimed) {
        claims.set(key, token)
        return true
      }
      const found = yield* get("recordEvent", key)
      if (Option.isSome(found) && text(found.value, "status") === "done") return false
      // Processing under a live lease (or released a moment ago): the provider retries later.
      return yield* new PaymentRecords.PaymentEventInProgress({ provider: event.provider, eventId: event.id })
    })

  const settleEvent = (event: PaymentRecords.EventKey, result: "done" | "released") =>
    Effect.gen(function* () {
      const key = eventKey(event.provider, event.id)
      const token = claims.get(key)
      if (token === undefined) return
      claims.delete(key)
      // Conditional on the token: a claim taken over after this one's lease expired is not ours.
      if (result === "released") {
        yield* deleteIf("settleEvent", key, "claim", token)
        return
      }
      yield* conditional("settleEvent", (signal) =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { [keyAttribute]: s(key) },
            UpdateExpression: "SET #status = :done REMOVE #lease, #claim",
            ConditionExpression: "#claim = :token",
            ExpressionAttributeNames: {
              "#status": "status",
              "#lease": "leaseUntilMillis",
              "#claim": "claim"
            },
            ExpressionAttributeValues: { ":done": s("done"), ":token": s(token) }
          }),
          { abortSignal: signal }
        )
      )
    })

  const recordAttempt = (attempt: PaymentRecords.PaymentAttempt) =>
    putIfAbsent("recordAttempt", {
      [keyAttribute]: s(attemptKey(attempt.provider, attempt.eventId)),
      invoiceId: s(attempt.invoiceId),
      customerId: s(attempt.customerId),
      outcome: s(attempt.outcome),
      amount: n(attempt.amount),
      currency: s(attempt.currency),
      ...(attempt.reason === null ? {} : { reason: s(attempt.reason) }),
      occurredAtMillis: n(DateTime.toEpochMillis(attempt.occurredAt))
    }).pipe(Effect.asVoid)

  return PaymentRecords.PaymentRecords.of({
    customerLink,
    linkCustomer,
    customerOfProvider,
    invoiceLink,
    invoiceOfProvider,
    linkInvoice,
    advanceInvoiceState,
    recordEvent,
    settleEvent,
    recordAttempt
  })
}

/** A payment attempt as stored (for tests and operators: the port does not read attempts back). */
export const attempt = (options: Pick<Options, "client" | "tableName">, provider: string, eventId: string) =>
  Effect.tryPromise({
    try: () =>
      options.client.send(
        new GetItemCommand({
          TableName: options.tableName,
          Key: { [keyAttribute]: s(attemptKey(provider, eventId)) },
          ConsistentRead: true
        })
      ),
    catch: (cause) =>
      new PersistenceError.PersistenceFailure({ operation: "PaymentRecords.attempt", kind: errorName(cause) })
  }).pipe(
    Effect.map((out) =>
      Option.map(Option.fromNullishOr(out.Item), (item) => ({
        invoiceId: text(item, "invoiceId"),
        customerId: text(item, "customerId"),
        outcome: text(item, "outcome"),
        amount: item.amount?.N === undefined ? undefined : BigInt(item.amount.N),
        currency: text(item, "currency"),
        reason: text(item, "reason") ?? null
      }))
    )
  )

/** The records over a client the caller owns. */
export const layerWithClient = (options: Options): Layer.Layer<PaymentRecords.PaymentRecords> =>
  Layer.sync(PaymentRecords.PaymentRecords, () => make(options))
