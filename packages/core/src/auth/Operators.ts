/**
 * Operator credentials, composed from the ports: create (the key shown once), list, revoke, and
 * authenticate a presented `sb_op_…` key. Every authentication reads the store (no cache), so a
 * revocation takes effect on the very next request of every instance. With a `FailureThrottle` in
 * context, failures are counted per client address, as tenant keys' are, and a client past its
 * allowance is refused (`TooManyAttempts`) before the store is read.
 */
import { Context, DateTime, Effect, Layer, Option, Redacted } from "effect"
import type { SecretHash } from "./ApiKey.ts"
import { ApiKeySecrets } from "./ApiKeySecrets.ts"
import {
  type AuthBackendUnavailable,
  type AuthenticationFailed,
  failed,
  InvalidKey,
  KeyRevoked,
  type MalformedKey,
  type TooManyAttempts,
  type WrongKeyPrefix
} from "./AuthError.ts"
import * as Operator from "./Operator.ts"
import { OperatorStore } from "./OperatorStore.ts"
import { type Bucket, FailureThrottle } from "./Throttle.ts"

/** A new operator: its listing and its key, to be shown once. */
export interface CreatedOperator {
  readonly operator: Operator.Operator
  readonly plaintext: Redacted.Redacted<string>
}

/** Why an operator key was refused. */
export type OperatorKeyError =
  | AuthenticationFailed<MalformedKey | WrongKeyPrefix | InvalidKey | KeyRevoked>
  | TooManyAttempts
  | AuthBackendUnavailable

/** A stand-in hash compared when the id is unknown, so both failures cost the same time. */
const decoyHash = "0".repeat(64) as SecretHash

/** The operator credential service. */
export class Operators extends Context.Service<
  Operators,
  {
    /** Creates an operator with `scopes`; the key is shown once. */
    readonly create: (input: {
      readonly name: string
      readonly scopes: ReadonlyArray<string>
    }) => Effect.Effect<CreatedOperator, Operator.InvalidOperator | AuthBackendUnavailable>
    /** Every operator (never a secret or hash). */
    readonly list: Effect.Effect<ReadonlyArray<Operator.Operator>, AuthBackendUnavailable>
    /** Revokes an operator: its key stops at the next request. */
    readonly revoke: (
      id: Operator.OperatorId
    ) => Effect.Effect<Operator.Operator, Operator.OperatorNotFound | AuthBackendUnavailable>
    /**
     * The operator a presented key belongs to, if it is valid and not revoked; `client` (the
     * caller's address) is where failures are counted.
     */
    readonly authenticate: (
      presented: string,
      client?: string
    ) => Effect.Effect<Operator.OperatorIdentity, OperatorKeyError>
  }
>()("@securebase/core/auth/Operators") {
  /** Builds the service from the store and the key material in context. */
  static readonly make = Effect.gen(function* () {
    const store = yield* OperatorStore
    const secrets = yield* ApiKeySecrets
    const throttle = yield* Effect.serviceOption(FailureThrottle)

    const create = Effect.fn("Operators.create")(function* (input: {
      readonly name: string
      readonly scopes: ReadonlyArray<string>
    }) {
      const valid = yield* Operator.validate(input)
      const { keyId, secret } = yield* secrets.generate
      const id = keyId as string as Operator.OperatorId
      const record = new Operator.OperatorRecord({
        id,
        name: valid.name,
        prefix: Operator.prefixOf(id),
        scopes: valid.scopes,
        createdAt: yield* DateTime.now,
        secretHash: yield* secrets.hash(secret)
      })
      yield* store.insert(record)
      return { operator: Operator.toOperator(record), plaintext: Operator.format(id, Redacted.value(secret)) }
    })

    const revoke = Effect.fn("Operators.revoke")(function* (id: Operator.OperatorId) {
      const revoked = yield* store.revoke(id, yield* DateTime.now)
      if (Option.isNone(revoked)) return yield* new Operator.OperatorNotFound({ operatorId: id })
      return revoked.value
    })

    const bucketOf = (client: string | undefined): Option.Option<Bucket> =>
      client === undefined ? Option.none() : Option.some({ _tag: "Address", client })
    /** Fails with `error`, counted against the client (or `TooManyAttempts` when it already waits). */
    const failFor = <E>(client: string | undefined, error: E) =>
      Effect.gen(function* () {
        const bucket = bucketOf(client)
        if (Option.isSome(throttle) && Option.isSome(bucket)) {
          yield* throttle.value.check(bucket.value)
          yield* throttle.value.recordFailure(bucket.value)
        }
        return yield* Effect.fail(error)
      })

    const authenticate = Effect.fn("Operators.authenticate")(function* (presented: string, client?: string) {
      const bucket = bucketOf(client)
      // A client past its allowance is refused before the store is read.
      if (Option.isSome(throttle) && Option.isSome(bucket)) yield* throttle.value.check(bucket.value)
      const parsed = Operator.parse(presented)
      if (parsed._tag === "Failure") return yield* failFor(client, parsed.failure)
      const { operatorId, secret } = parsed.success
      const found = yield* store.findById(operatorId)
      const matches = yield* secrets.matches(
        secret,
        Option.match(found, { onNone: () => decoyHash, onSome: (r) => r.secretHash as SecretHash })
      )
      if (Option.isNone(found) || !matches) return yield* failFor(client, failed(new InvalidKey()))
      const record = found.value
      // Reported only to a caller who proved the secret.
      if (record.revokedAt !== undefined) return yield* failed(new KeyRevoked({ keyId: operatorId }))
      return { operatorId, name: record.name, scopes: record.scopes } satisfies Operator.OperatorIdentity
    })

    return Operators.of({ create, list: store.list, revoke, authenticate })
  })

  /** The service from the ports in context. */
  static readonly layer = Layer.effect(Operators, Operators.make)
}
