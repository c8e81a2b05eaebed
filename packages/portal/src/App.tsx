/**
 * The portal's shell: the session (checked with `GET /account`, ended by any 401), the navigation
 * and the pages. The browser keeps no credential of its own: the session cookie is HttpOnly, and
 * local storage only remembers that a session existed (its expiry), so that an expired one is
 * explained on the sign-in page rather than silently replaced by it.
 */
import { useCallback, useEffect, useState } from "react"
import { ApiFailure, type Client, call, csrfToken, onUnauthorized, type Success } from "./api/Client.ts"
import { ApiKeys } from "./pages/ApiKeys.tsx"
import { AuditLog } from "./pages/AuditLog.tsx"
import { Compliance } from "./pages/Compliance.tsx"
import { InvoiceDetail } from "./pages/InvoiceDetail.tsx"
import { Invoices } from "./pages/Invoices.tsx"
import { SignIn } from "./pages/SignIn.tsx"
import { Support, SupportTicketPage } from "./pages/Support.tsx"
import { Usage } from "./pages/Usage.tsx"
import { base, Link, navigate, segments, useLocation } from "./Router.tsx"

type Account = Success<Client["account"]["get"]>

type Session =
  | { readonly state: "checking" }
  | { readonly state: "signedOut"; readonly notice?: string }
  | { readonly state: "signedIn"; readonly account: Account }

const marker = "securebase.portal.sessionUntil"
const expiredNotice = "Your session has ended (it expired or was revoked). Sign in again to continue."

const pages = [
  { href: "/portal/invoices", label: "Invoices" },
  { href: "/portal/usage", label: "Usage" },
  { href: "/portal/keys", label: "API keys" },
  { href: "/portal/compliance", label: "Compliance" },
  { href: "/portal/support", label: "Support" },
  { href: "/portal/audit", label: "Audit log" }
] as const

/** The app. */
export const App = () => {
  const [session, setSession] = useState<Session>({ state: "checking" })
  const { path, query } = useLocation()
  const parts = segments(path)

  const signedOut = useCallback((notice?: string) => {
    // Several reads may be refused at once: the first one's notice stays.
    setSession((current) =>
      current.state === "signedOut"
        ? current
        : notice === undefined
          ? { state: "signedOut" }
          : { state: "signedOut", notice }
    )
    if (window.location.pathname.startsWith(`${base}/sign-in`)) return
    const here = `${window.location.pathname}${window.location.search}`
    const next = here.startsWith(`${base}/sign-in`) || here === base || here === `${base}/` ? "" : here
    navigate(`${base}/sign-in${next === "" ? "" : `?next=${encodeURIComponent(next)}`}`, { replace: true })
  }, [])

  const loadAccount = useCallback(
    () =>
      call((client) => client.account.get()).then(
        (account) => setSession({ state: "signedIn", account }),
        // A 401 is handled by the listener; anything else leaves the user at the sign-in page with the reason.
        (failure: unknown) =>
          failure instanceof ApiFailure && failure.status === 401
            ? undefined
            : setSession({
                state: "signedOut",
                notice: failure instanceof ApiFailure ? failure.message : String(failure)
              })
      ),
    []
  )

  useEffect(() => {
    const stop = onUnauthorized(() => {
      const hadSession = window.localStorage.getItem(marker) !== null
      window.localStorage.removeItem(marker)
      signedOut(hadSession ? expiredNotice : undefined)
    })
    // No CSRF cookie, no session: the sign-in page, without asking the server.
    if (csrfToken() === "")
      signedOut(window.localStorage.getItem(marker) === null ? undefined : expiredNotice)
    else loadAccount()
    if (window.localStorage.getItem(marker) !== null && csrfToken() === "")
      window.localStorage.removeItem(marker)
    return stop
  }, [loadAccount, signedOut])

  // Signed in and at the root or the sign-in page: go to the first page.
  useEffect(() => {
    if (session.state === "signedIn" && (parts.length === 0 || parts[0] === "sign-in"))
      navigate(query.get("next") ?? "/portal/invoices", { replace: true })
  }, [session.state, parts, query])

  const title = pages.find((p) => p.href === `${base}/${parts[0]}`)?.label
  useEffect(() => {
    document.title = `${session.state === "signedIn" ? (title ?? "SecureBase") : "Sign in"} · SecureBase portal`
    const heading = document.querySelector<HTMLElement>("main h1")
    if (heading !== null && document.activeElement === document.body) heading.focus({ preventScroll: true })
  }, [title, session.state])

  if (session.state === "checking")
    return (
      <main id="main" className="sign-in">
        <p className="state loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Loading the portal…
        </p>
      </main>
    )

  if (session.state === "signedOut")
    return (
      <SignIn
        notice={session.notice}
        onSignedIn={(expiresAt) => {
          window.localStorage.setItem(marker, expiresAt)
          loadAccount()
        }}
      />
    )

  const { account } = session
  const signOut = () => {
    call((client) => client.session.signOut()).finally(() => {
      window.localStorage.removeItem(marker)
      setSession({ state: "signedOut", notice: "You have signed out." })
      navigate(`${base}/sign-in`, { replace: true })
    })
  }

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>SecureBase</span>
        </div>
        <p className="who">
          <span className="name">{account.name}</span> <span className="plan">{account.plan}</span>
        </p>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className="main-nav" aria-label="Portal">
        <ul>
          {pages.map((p) => (
            <li key={p.href}>
              <Link href={p.href} aria-current={path.startsWith(p.href) ? "page" : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Page parts={parts} query={query} account={account} />
      </main>
      <footer className="foot">
        <p>
          Amounts are exact, in your invoice currency; billing periods are calendar months in UTC. Dates are
          shown in your time zone.
        </p>
      </footer>
    </>
  )
}

const Page = ({
  parts,
  query,
  account
}: {
  readonly parts: ReadonlyArray<string>
  readonly query: URLSearchParams
  readonly account: Account
}) => {
  const [page, id] = parts
  switch (page) {
    case undefined:
    case "sign-in":
      return null
    case "invoices":
      return id === undefined ? (
        <Invoices />
      ) : (
        <InvoiceDetail key={id} id={id} paymentsOnline={account.paymentsOnline} />
      )
    case "usage":
      return (
        <Usage createdAtMillis={account.createdAt === null ? null : account.createdAt.epochMilliseconds} />
      )
    case "keys":
      return <ApiKeys scopes={account.scopes} sessionKeyId={account.keyId} />
    case "compliance":
      return <Compliance />
    case "audit":
      return <AuditLog />
    case "support":
      return id === undefined ? (
        <Support />
      ) : (
        <SupportTicketPage key={id} id={id} created={query.has("created")} />
      )
    default:
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            There is no such page. <Link href="/portal/invoices">Go to your invoices</Link>.
          </p>
        </>
      )
  }
}
