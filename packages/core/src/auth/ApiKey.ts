/**
 * API keys: the `sb_live_<keyId>_<secret>` format, scopes, the stored record and the plan's limit
 * on active keys. The secret is shown once, at creation; only its SHA-256 is stored (a 256-bit
 * random secret needs no slow hash, see the README) and it is looked up by the public key id.
 */
import { DateTime, Effect, Redacted, Result, Schema } from "effect"
import type { Entitlements } from "../billing/Entitlements.ts"
import type { PlanCode } from "../billing/PriceBook.ts"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"
import * as Text from "../Text.ts"
import {
  ApiKeyLimitReached,
  type AuthenticationFailed,
  failed,
  MalformedKey,
  WrongKeyPrefix
} from "./AuthError.ts"

/** Lowercase RFC 4648 base32: no `_`, so the parts of a key split unambiguously. */
const base32 = "[a-z2-7]"

/** Characters of a key id: 10 random bytes in base32. */
export const keyIdLength = 16
/** Characters of a secret: 32 random bytes (256 bits) in base32. */
export const secretLength = 52

/** The public id of an API key, the second part of `sb_live_<keyId>_<secret>`. */
export const ApiKeyId = Schema.String.check(
  Schema.isPattern(new RegExp(`^${base32}{${keyIdLength}}$`), { message: "expected a 16-character key id" })
).pipe(Schema.brand("ApiKeyId"))
export type ApiKeyId = typeof ApiKeyId.Type

/** `live` keys touch real data; `test` keys are the same machinery for a sandbox. */
export const KeyMode = Schema.Literals(["live", "test"])
export type KeyMode = typeof KeyMode.Type

/** What a key may do. One scope per resource and verb; keys get the fewest they need. */
export const Scope = Schema.Literals([
  "invoices:read",
  "invoices:write",
  "usage:read",
  "usage:write",
  "metrics:read",
  "customers:read",
  "customers:write",
  "api_keys:read",
  "api_keys:write",
  "compliance:read",
  "support:read",
  "support:write",
  "notifications:read",
  "audit:read"
])
export type Scope = typeof Scope.Type

/** Every scope, for an all-powerful admin key. */
export const allScopes: ReadonlyArray<Scope> = Scope.literals

/** A key's scopes: at least one, no duplicates. */
export const Scopes = Schema.UniqueArray(Scope).check(Schema.isMinLength(1))

/** The SHA-256 of a key's secret, lowercase hex. */
export const SecretHash = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{64}$/, { message: "expected 64 lowercase hex digits" })
).pipe(Schema.brand("SecretHash"))
export type SecretHash = typeof SecretHash.Type

/**
 * The name a customer gives a new key: one trimmed line of 1 to 100 characters (see `Text`). Keys
 * stored before this rule keep their names; listings read them with {@link StoredKeyName}.
 */
export const KeyName = Text.singleLine({ minimum: 1, maximum: 100, trimmed: true })

/** A stored key's name: storable text of 1 to 100 characters, as the `api_keys` table holds it. */
export const StoredKeyName = Text.storable({ minimum: 1, maximum: 100 })

/** A new key's name breaks {@link KeyName}. */
export class InvalidKeyName extends Schema.TaggedError<InvalidKeyName>()("InvalidKeyName", {
  problem: Schema.String
}) {
  /** Stable error code. */
  readonly code = "API_KEY.INVALID_NAME"
  override get message(): string {
    return `invalid key name: ${this.problem}`
  }
}

/** Checks a new key's name against {@link KeyName}. */
export const validateName = (name: string): Effect.Effect<string, InvalidKeyName> =>
  Schema.decodeUnknownEffect(KeyName)(name).pipe(
    Effect.mapError((error) => new InvalidKeyName({ problem: error.message }))
  )

const apiKeyFields = {
  id: ApiKeyId.pipe(
    FieldDoc.describe("The key id: 16 lowercase base32 characters, the middle part of the key.", [
      "abcdefghijklmnop"
    ])
  ),
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) the key belongs to, a UUID.")),
  name: StoredKeyName.pipe(FieldDoc.describe("The key's name, chosen by its owner.", ["billing export"])),
  mode: KeyMode.pipe(
    FieldDoc.describe(
      "`live` for production data, `test` for test data; the key starts `sb_live_` or `sb_test_`."
    )
  ),
  /** The public, recognisable part shown in listings: `sb_live_<keyId>`. */
  prefix: Schema.String.pipe(
    FieldDoc.describe("The public, recognisable part of the key shown in listings: `sb_<mode>_<id>`.", [
      "sb_live_abcdefghijklmnop"
    ])
  ),
  scopes: Scopes.pipe(
    FieldDoc.describe("What the key may do, one scope per resource and verb.", [
      ["invoices:read", "usage:write"]
    ])
  ),
  createdAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the key was created, RFC 3339 UTC.")),
  expiresAt: Schema.optional(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the key stops working, RFC 3339 UTC; absent for a key that does not expire.")
  ),
  revokedAt: Schema.optional(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the key was revoked, RFC 3339 UTC; absent while it is not.")
  ),
  lastUsedAt: Schema.optional(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the key last authenticated a request, RFC 3339 UTC; absent if never.")
  )
}

/** An API key as listed to its owner: never the secret, never its hash. */
export class ApiKey extends Schema.Class<ApiKey>("@securebase/core/ApiKey")(apiKeyFields) {}

/** An API key as stored: the listing plus the hash of the secret. */
export class ApiKeyRecord extends Schema.Class<ApiKeyRecord>("@securebase/core/ApiKeyRecord")({
  ...apiKeyFields,
  secretHash: SecretHash
}) {}

/** The listing view of a stored key (drops the hash). */
export const toApiKey = (record: ApiKeyRecord): ApiKey => {
  const { secretHash: _, ...fields } = record
  return new ApiKey(fields)
}

/** A presented key split into its parts; the secret stays redacted in logs. */
export interface ParsedKey {
  readonly mode: KeyMode
  readonly keyId: ApiKeyId
  readonly secret: Redacted.Redacted<string>
}

/** `sb_live_` or `sb_test_`. */
export const prefixOf = (mode: KeyMode, keyId: ApiKeyId): string => `sb_${mode}_${keyId}`

/** Whether a bearer credential is shaped like an API key (`sb_…`) rather than a session token. */
export const isKeyShaped = (credential: string): boolean => credential.startsWith("sb_")

/** The full key `sb_<mode>_<keyId>_<secret>`, shown to its owner once. */
export const format = (mode: KeyMode, keyId: ApiKeyId, secret: string): Redacted.Redacted<string> =>
  Redacted.make(`${prefixOf(mode, keyId)}_${secret}`)

const shape = new RegExp(`^sb_(live|test)_(${base32}{${keyIdLength}})_(${base32}{${secretLength}})$`)

/**
 * Splits a presented key. A key that does not start with `sb_live_` / `sb_test_` is a
 * `WrongKeyPrefix` (someone sent another vendor's key, or a session token); the right prefix with
 * the wrong body is a `MalformedKey`. Neither error echoes the input.
 */
export const parse = (
  presented: string
): Result.Result<ParsedKey, AuthenticationFailed<MalformedKey | WrongKeyPrefix>> => {
  if (!presented.startsWith("sb_live_") && !presented.startsWith("sb_test_"))
    return Result.fail(failed(new WrongKeyPrefix()))
  const m = shape.exec(presented)
  if (m === null)
    return Result.fail(
      failed(
        new MalformedKey({
          detail: `expected sb_<live|test>_<${keyIdLength} base32>_<${secretLength} base32>`
        })
      )
    )
  return Result.succeed({
    mode: m[1] as KeyMode,
    keyId: m[2] as ApiKeyId,
    secret: Redacted.make(m[3]!)
  })
}

/** Whether a key can authenticate at `now`: not revoked and not past its expiry. */
export const isActive = (key: ApiKey | ApiKeyRecord, now: DateTime.Utc): boolean =>
  key.revokedAt === undefined && (key.expiresAt === undefined || DateTime.isLessThan(now, key.expiresAt))

/** How many of `keys` are active at `now` (what the plan limit counts). */
export const countActive = (keys: Iterable<ApiKey | ApiKeyRecord>, now: DateTime.Utc): number => {
  let n = 0
  for (const key of keys) if (isActive(key, now)) n++
  return n
}

/** The most active keys a plan's customer may hold (its entitlements' `maxApiKeys`). */
export const limitFor = (entitlements: Entitlements): number => entitlements.maxApiKeys

/** Succeeds when one more active key stays within the plan's limit. */
export const ensureWithinLimit = (options: {
  readonly customerId: CustomerId
  readonly plan: PlanCode
  readonly entitlements: Entitlements
  readonly active: number
}): Effect.Effect<void, ApiKeyLimitReached> => {
  const limit = limitFor(options.entitlements)
  return options.active < limit
    ? Effect.void
    : Effect.fail(new ApiKeyLimitReached({ customerId: options.customerId, plan: options.plan, limit }))
}
