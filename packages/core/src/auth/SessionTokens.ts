/**
 * The port to session tokens: issuing a signed JWT for an identity and verifying one back into
 * its claims. The adapter signs HS256 with rotating secrets; `Session.validate` does the claim
 * checks so every adapter applies the same rules.
 */
import { Context, type Effect } from "effect"
import type { PlanCode } from "../billing/PriceBook.ts"
import type { CustomerId } from "../Ids.ts"
import type { ApiKeyId, KeyMode, Scope } from "./ApiKey.ts"
import type { TokenError } from "./AuthError.ts"
import type { SessionClaims } from "./Session.ts"

/** What a session is issued for. */
export interface SessionSubject {
  readonly customerId: CustomerId
  readonly plan: PlanCode
  readonly scopes: ReadonlyArray<Scope>
  readonly keyId: ApiKeyId
  readonly mode: KeyMode
}

/** Issues and verifies session tokens. */
export class SessionTokens extends Context.Service<
  SessionTokens,
  {
    /** A new signed token for the subject, valid from now for the configured TTL. */
    readonly issue: (
      subject: SessionSubject
    ) => Effect.Effect<{ readonly token: string; readonly claims: SessionClaims }>
    /** The claims of a token whose signature, algorithm, issuer, audience and time window hold. */
    readonly verify: (token: string) => Effect.Effect<SessionClaims, TokenError>
  }
>()("@securebase/core/auth/SessionTokens") {}
