/** Loading, error and data states of one API read, for a page. */
import type { Effect } from "effect"
import { type DependencyList, useCallback, useEffect, useState } from "react"
import { ApiFailure, type Client, call } from "./Client.ts"

/** Where a read stands. */
export type Loaded<A> =
  | { readonly state: "loading" }
  | { readonly state: "failed"; readonly failure: ApiFailure }
  | { readonly state: "ready"; readonly data: A }

/** Runs `f` when `deps` change; `reload` runs it again. */
export const useApi = <A, E>(
  f: (client: Client) => Effect.Effect<A, E>,
  deps: DependencyList
): Loaded<A> & { readonly reload: () => void } => {
  const [result, setResult] = useState<Loaded<A>>({ state: "loading" })
  const [round, setRound] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to read again
  useEffect(() => {
    let live = true
    setResult({ state: "loading" })
    call(f).then(
      (data) => live && setResult({ state: "ready", data }),
      (failure: unknown) =>
        live &&
        setResult({
          state: "failed",
          failure: failure instanceof ApiFailure ? failure : new ApiFailure(0, "CLIENT", String(failure))
        })
    )
    return () => {
      live = false
    }
  }, [...deps, round])
  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { ...result, reload }
}
