/**
 * Sign in with an API key. The key goes once, in the body of `POST /auth/session`, and is then
 * dropped: the browser keeps only the session cookie (HttpOnly, so not even this page can read it).
 */
import { type FormEvent, useEffect, useRef, useState } from "react"
import { ApiFailure, call } from "../api/Client.ts"

/** The sign-in page; `notice` explains why the user is here (an expired session, a sign-out). */
export const SignIn = ({
  notice,
  onSignedIn
}: {
  readonly notice: string | undefined
  readonly onSignedIn: (expiresAt: string) => void
}) => {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const field = input.current
    if (field === null) return
    const apiKey = field.value.trim()
    if (apiKey === "") {
      setError("Enter your API key.")
      return
    }
    setBusy(true)
    setError(undefined)
    call((client) => client.session.signIn({ payload: { apiKey } })).then(
      (session) => {
        field.value = ""
        onSignedIn(session.expiresAt)
      },
      (failure: unknown) => {
        setBusy(false)
        setError(
          failure instanceof ApiFailure && failure.status === 401
            ? `That key was not accepted: ${failure.message}.`
            : failure instanceof ApiFailure
              ? failure.message
              : String(failure)
        )
      }
    )
  }

  return (
    <main id="main" className="sign-in">
      <div className="card">
        <p className="brand-mark" aria-hidden="true">
          SecureBase
        </p>
        <h1>Sign in to your portal</h1>
        {notice === undefined ? null : (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <label htmlFor="api-key">API key</label>
          <input
            ref={input}
            id="api-key"
            name="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="sb_live_…"
            aria-describedby="api-key-help"
            aria-invalid={error === undefined ? undefined : true}
          />
          <p id="api-key-help" className="help">
            Your key is exchanged for a 24-hour session and is not stored in this browser.
          </p>
          {error === undefined ? null : (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  )
}
