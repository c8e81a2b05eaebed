/**
 * The port to the record of authentication attempts: every success and failure with its reason
 * code, never the secret or the token. Production writes them to the audit trail: failures and
 * issued sessions one by one (`auth.failed` / `auth.succeeded`), successful uses of a credential
 * counted per key, client and minute (`auth.used`); tests read them back from the in-memory adapter.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { ApiKeyId } from "./ApiKey.ts"
import type { SessionId } from "./Session.ts"

/** One authentication attempt. */
export interface AuthAttempt {
  readonly at: DateTime.Utc
  /** The client as the HTTP layer identified it (remote address). */
  readonly client: string
  readonly method: "api_key" | "exchange" | "session"
  readonly outcome: "success" | "failure"
  /** The stable error code of a failure (`AUTH.KEY_REVOKED`). */
  readonly code?: string
  /** The key id, when the credential parsed far enough to have one. */
  readonly keyId?: ApiKeyId
  /** The customer, once known. */
  readonly customerId?: CustomerId
  readonly sessionId?: SessionId
}

/** Records authentication attempts. Recording must not fail the attempt it records. */
export class AuthAttempts extends Context.Service<
  AuthAttempts,
  {
    readonly record: (attempt: AuthAttempt) => Effect.Effect<void>
  }
>()("@securebase/core/auth/AuthAttempts") {}
