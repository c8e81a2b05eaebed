/** The loading, empty and error states every page shows the same way. */
import type { ReactNode } from "react"
import type { ApiFailure } from "../api/Client.ts"
import type { Loaded } from "../api/useApi.ts"

/** A polite "loading" line, announced to screen readers. */
export const Loading = ({ what }: { readonly what: string }) => (
  <p className="state loading" role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" />
    Loading {what}…
  </p>
)

/** Nothing to show, and what to do about it. */
export const Empty = ({ children }: { readonly children: ReactNode }) => (
  <p className="state empty">{children}</p>
)

const explain = (failure: ApiFailure): string => {
  if (failure.status === 403 && failure.code === "AUTH.SCOPE_MISSING")
    return `${failure.message}. Sign in with a key that has it to see this page.`
  if (failure.status === 404) return "Not found. It may have been removed, or the link is wrong."
  return failure.message
}

/** A failure, with the API's code and a way to retry. */
export const Failed = ({ failure, retry }: { readonly failure: ApiFailure; readonly retry?: () => void }) => (
  <div className="state error" role="alert">
    <p>
      <strong>{failure.status === 404 ? "Not found." : "Something went wrong."}</strong> {explain(failure)}
    </p>
    <p className="muted">
      Code <code>{failure.code}</code>
      {failure.status > 0 ? ` (HTTP ${failure.status})` : ""}
    </p>
    {retry === undefined || failure.status === 404 ? null : (
      <button type="button" className="secondary" onClick={retry}>
        Try again
      </button>
    )}
  </div>
)

/** Renders `loaded`: its loading and error states, or `children` with the data. */
export const Show = <A,>({
  loaded,
  what,
  children
}: {
  readonly loaded: Loaded<A> & { readonly reload?: () => void }
  readonly what: string
  readonly children: (data: A) => ReactNode
}) => {
  if (loaded.state === "loading") return <Loading what={what} />
  if (loaded.state === "failed")
    return loaded.reload === undefined ? (
      <Failed failure={loaded.failure} />
    ) : (
      <Failed failure={loaded.failure} retry={loaded.reload} />
    )
  return <>{children(loaded.data)}</>
}
