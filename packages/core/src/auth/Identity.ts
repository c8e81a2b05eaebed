/**
 * The authenticated caller: which customer, through which key, with which scopes. The HTTP layer
 * turns it into `CurrentCustomer` for the tenancy context.
 */
import { Effect } from "effect"
import type { PlanCode } from "../billing/PriceBook.ts"
import type { CustomerId } from "../Ids.ts"
import type { ApiKeyId, KeyMode, Scope } from "./ApiKey.ts"
import { ScopeMissing } from "./AuthError.ts"
import type { SessionId } from "./Session.ts"

/** An authenticated caller. `sessionId` is set when it came through a session token. */
export interface Identity {
  readonly customerId: CustomerId
  readonly plan: PlanCode
  readonly keyId: ApiKeyId
  readonly mode: KeyMode
  readonly scopes: ReadonlyArray<Scope>
  readonly via: "api_key" | "session"
  readonly sessionId?: SessionId
}

/** Whether the identity holds `scope`. */
export const hasScope = (identity: Identity, scope: Scope): boolean => identity.scopes.includes(scope)

/** Fails with `ScopeMissing` unless the identity holds `scope`. */
export const requireScope = (identity: Identity, scope: Scope): Effect.Effect<void, ScopeMissing> =>
  hasScope(identity, scope) ? Effect.void : Effect.fail(new ScopeMissing({ scope }))
