/**
 * The browser's session: the session token in an `HttpOnly; Secure; SameSite=Strict` cookie, which
 * page scripts cannot read, and a CSRF token bound to it that they can (a readable cookie and the
 * sign-in response). The CSRF token is a domain-separated SHA-256 of the session token: it is
 * unguessable without the token, needs no server state (every instance and every Lambda container
 * checks it alike), and changes with every session.
 *
 * A request authenticated by the cookie that changes state (any method but GET, HEAD, OPTIONS) must
 * carry the CSRF token in `X-CSRF-Token`, and must not come from another origin (`Origin`,
 * `Sec-Fetch-Site`), else 403. Bearer clients send no cookie and are unaffected.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import type { HttpServerRequest } from "effect/http"
import { Forbidden } from "../api/ApiErrors.ts"
import type * as ClientAddress from "../server/ClientAddress.ts"

/** The cookie holding the session token (HttpOnly). */
export const sessionCookie = "sb_session"
/** The cookie holding the CSRF token (readable by the page's scripts). */
export const csrfCookie = "sb_csrf"
/** The header a cookie-authenticated, state-changing request carries the CSRF token in. */
export const csrfHeader = "x-csrf-token"

/** The CSRF token of a session token. */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash("sha256").update(`securebase/csrf/v1:${sessionToken}`).digest("base64url")

/** The session token the request's cookie carries, if any. */
export const sessionTokenOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const token = request.cookies[sessionCookie]
  return token === undefined || token === "" ? undefined : token
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

const refuse = (message: string) => Effect.fail(new Forbidden({ code: "AUTH.CSRF_REJECTED", message }))

const sameBytes = (a: string, b: string): boolean => {
  const x = createHash("sha256").update(a).digest()
  const y = createHash("sha256").update(b).digest()
  return timingSafeEqual(x, y)
}

/**
 * Refuses (403) a request that a browser says comes from another origin (`Sec-Fetch-Site` other
 * than `same-origin`, or an `Origin` whose host is not this server's). Requests without these
 * headers (API clients) pass.
 */
export const requireSameOrigin = (
  request: HttpServerRequest.HttpServerRequest,
  options: { readonly trustProxy: ClientAddress.TrustProxy }
): Effect.Effect<void, Forbidden> => {
  const site = request.headers["sec-fetch-site"]
  if (site !== undefined && site !== "same-origin")
    return refuse(`a ${site} request cannot use the browser session`)
  const origin = request.headers.origin
  if (origin === undefined) return Effect.void
  const host =
    (options.trustProxy._tag !== "None"
      ? request.headers["x-forwarded-host"]?.split(",")[0]?.trim()
      : undefined) ?? request.headers.host
  const originHost = URL.canParse(origin) ? new URL(origin).host : undefined
  if (originHost === undefined || host === undefined || originHost !== host)
    return refuse("a request from another origin cannot use the browser session")
  return Effect.void
}

/**
 * Refuses (403) a state-changing request authenticated by `sessionToken` unless it comes from the
 * server's own origin and carries the session's CSRF token. Safe methods pass.
 */
export const requireCsrf = (
  request: HttpServerRequest.HttpServerRequest,
  sessionToken: string,
  options: { readonly trustProxy: ClientAddress.TrustProxy }
): Effect.Effect<void, Forbidden> => {
  if (safeMethods.has(request.method)) return Effect.void
  return Effect.andThen(requireSameOrigin(request, options), () => {
    const presented = request.headers[csrfHeader]
    if (presented === undefined || presented === "")
      return refuse(`send the session's CSRF token in ${csrfHeader} (it is in the ${csrfCookie} cookie)`)
    if (!sameBytes(presented, csrfTokenFor(sessionToken)))
      return refuse("the CSRF token does not match the session")
    return Effect.void
  })
}

/** The cookie attributes of a session that lasts `maxAgeSeconds`. */
export const cookieOptions = (maxAgeSeconds: number, httpOnly: boolean) => ({
  httpOnly,
  secure: true,
  sameSite: "strict" as const,
  path: "/",
  maxAge: `${Math.max(0, Math.floor(maxAgeSeconds))} seconds` as const
})
