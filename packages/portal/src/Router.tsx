/**
 * A small router over the History API: the portal's pages are paths under `/portal`, so every
 * page has a URL that can be bookmarked, shared and reloaded (the server answers index.html).
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from "react"

/** Where the portal lives. */
export const base = "/portal"

const subscribe = (listener: () => void) => {
  window.addEventListener("popstate", listener)
  return () => window.removeEventListener("popstate", listener)
}

const snapshot = () => `${window.location.pathname}${window.location.search}`

/** The current path and query, re-rendering on navigation. */
export const useLocation = (): { readonly path: string; readonly query: URLSearchParams } => {
  const href = useSyncExternalStore(subscribe, snapshot)
  const url = new URL(href, window.location.origin)
  const path = url.pathname.replace(/\/+$/, "")
  return { path: path === "" ? base : path, query: url.searchParams }
}

/** Goes to `to` (a path under `/portal`) without reloading. */
export const navigate = (to: string, options: { readonly replace?: boolean } = {}): void => {
  if (options.replace === true) window.history.replaceState(null, "", to)
  else window.history.pushState(null, "", to)
  window.dispatchEvent(new PopStateEvent("popstate"))
}

/** A link that navigates inside the portal (modified clicks still open new tabs). */
export const Link = ({
  href,
  onClick,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) => (
  <a
    {...rest}
    href={href}
    onClick={(event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event)
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
        return
      event.preventDefault()
      navigate(href)
    }}
  />
)

/** The path segments after `/portal`: `/portal/invoices/abc` → ["invoices", "abc"]. */
export const segments = (path: string): ReadonlyArray<string> =>
  path
    .slice(base.length)
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent)
