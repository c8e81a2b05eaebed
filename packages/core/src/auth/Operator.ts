/**
 * Operators: the people and tools that run SecureBase itself (create customers, change plans,
 * record payments), as opposed to tenants. An operator key is `sb_op_<operatorId>_<secret>`,
 * shown once at creation; like an API key only the SHA-256 of its 256-bit secret is stored, and it
 * is looked up by its public id. An operator holds operator scopes, and acts on one customer at a
 * time through the same tenancy function as a tenant (row-level security applies), recorded in
 * that customer's audit chain as `operator:<operatorId>`.
 */
import { Effect, Redacted, Result, Schema } from "effect"
import * as Text from "../Text.ts"
import { keyIdLength, secretLength } from "./ApiKey.ts"
import { type AuthenticationFailed, failed, MalformedKey, WrongKeyPrefix } from "./AuthError.ts"

const base32 = "[a-z2-7]"

/** The public id of an operator, the middle part of `sb_op_<operatorId>_<secret>`. */
export const OperatorId = Schema.String.check(
  Schema.isPattern(new RegExp(`^${base32}{${keyIdLength}}$`), {
    message: "expected a 16-character operator id"
  })
).pipe(Schema.brand("OperatorId"))
export type OperatorId = typeof OperatorId.Type

/** What an operator may do: one scope per resource and verb, across customers. */
export const OperatorScope = Schema.Literals([
  "customers:read",
  "customers:write",
  "invoices:read",
  "invoices:write",
  "compliance:write",
  "support:read",
  "support:write"
])
export type OperatorScope = typeof OperatorScope.Type

/** Every operator scope. */
export const allScopes: ReadonlyArray<OperatorScope> = OperatorScope.literals

/** An operator's scopes: at least one, no duplicates. */
export const OperatorScopes = Schema.UniqueArray(OperatorScope).check(Schema.isMinLength(1))

/** An operator's name: one trimmed line of 1 to 100 characters. */
export const OperatorName = Text.singleLine({ minimum: 1, maximum: 100, trimmed: true })

const operatorFields = {
  id: OperatorId,
  name: Text.storable({ minimum: 1, maximum: 100 }),
  /** The public, recognisable part: `sb_op_<operatorId>`. */
  prefix: Schema.String,
  scopes: OperatorScopes,
  createdAt: Schema.DateTimeUtc,
  revokedAt: Schema.optional(Schema.DateTimeUtc)
}

/** An operator as listed: never the secret, never its hash. */
export class Operator extends Schema.Class<Operator>("@securebase/core/Operator")(operatorFields) {}

/** An operator as stored: the listing plus the hash of the secret. */
export class OperatorRecord extends Schema.Class<OperatorRecord>("@securebase/core/OperatorRecord")({
  ...operatorFields,
  secretHash: Schema.String.check(Schema.isPattern(/^[0-9a-f]{64}$/))
}) {}

/** The listing view of a stored operator (drops the hash). */
export const toOperator = (record: OperatorRecord): Operator => {
  const { secretHash: _, ...fields } = record
  return new Operator(fields)
}

/** The authenticated operator of a request: who, and what it may do. */
export interface OperatorIdentity {
  readonly operatorId: OperatorId
  readonly name: string
  readonly scopes: ReadonlyArray<OperatorScope>
}

/** The audit trail's actor for an operator: `operator:<operatorId>`. */
export const actorOf = (id: OperatorId): string => `operator:${id}`

/** `sb_op_<operatorId>`. */
export const prefixOf = (id: OperatorId): string => `sb_op_${id}`

/** Whether a bearer credential is shaped like an operator key (`sb_op_…`). */
export const isOperatorShaped = (credential: string): boolean => credential.startsWith("sb_op_")

/** The full key `sb_op_<operatorId>_<secret>`, shown once. */
export const format = (id: OperatorId, secret: string): Redacted.Redacted<string> =>
  Redacted.make(`${prefixOf(id)}_${secret}`)

const shape = new RegExp(`^sb_op_(${base32}{${keyIdLength}})_(${base32}{${secretLength}})$`)

/** Splits a presented operator key; neither error echoes the input. */
export const parse = (
  presented: string
): Result.Result<
  { readonly operatorId: OperatorId; readonly secret: Redacted.Redacted<string> },
  AuthenticationFailed<MalformedKey | WrongKeyPrefix>
> => {
  if (!isOperatorShaped(presented)) return Result.fail(failed(new WrongKeyPrefix()))
  const m = shape.exec(presented)
  if (m === null)
    return Result.fail(
      failed(new MalformedKey({ detail: `expected sb_op_<${keyIdLength} base32>_<${secretLength} base32>` }))
    )
  return Result.succeed({ operatorId: m[1] as OperatorId, secret: Redacted.make(m[2]!) })
}

/** No operator with that id. */
export class OperatorNotFound extends Schema.TaggedError<OperatorNotFound>()("OperatorNotFound", {
  operatorId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "OPERATOR.NOT_FOUND"
  override get message(): string {
    return `no operator ${this.operatorId}`
  }
}

/** A new operator's name or scopes break the rules. */
export class InvalidOperator extends Schema.TaggedError<InvalidOperator>()("InvalidOperator", {
  problem: Schema.String
}) {
  /** Stable error code. */
  readonly code = "OPERATOR.INVALID"
  override get message(): string {
    return `invalid operator: ${this.problem}`
  }
}

/** Checks a new operator's name and scopes. */
export const validate = (input: {
  readonly name: string
  readonly scopes: ReadonlyArray<string>
}): Effect.Effect<
  { readonly name: string; readonly scopes: ReadonlyArray<OperatorScope> },
  InvalidOperator
> =>
  Effect.all({
    name: Schema.decodeUnknownEffect(OperatorName)(input.name),
    scopes: Schema.decodeUnknownEffect(OperatorScopes)(input.scopes)
  }).pipe(Effect.mapError((error) => new InvalidOperator({ problem: error.message })))
