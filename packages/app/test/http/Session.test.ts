/**
 * The browser session over loopback: `POST /auth/session` puts the session in an HttpOnly, Secure,
 * SameSite=Strict cookie; the cookie authenticates requests that carry no Authorization header;
 * every state-changing request it authenticates needs the session's CSRF token and this origin
 * (403 otherwise, nothing changed); bearer clients are unaffected; forged and expired cookies are
 * 401; `DELETE /auth/session` ends the session and clears the cookies.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { expiredSessionToken, signingEnv } from "../support/Sessions.ts"
import { call, type Reply, TestServer } from "../support/TestServer.ts"

interface Signed {
  readonly session: string
  readonly csrf: string
  readonly reply: Reply
}

/** The cookies a response sets, by name: value and attributes. */
const setCookies = (reply: Reply) =>
  new Map(
    reply.headers.getSetCookie().map((line) => {
      const [pair, ...attributes] = line.split(";").map((s) => s.trim())
      const at = pair!.indexOf("=")
      return [
        pair!.slice(0, at),
        { value: pair!.slice(at + 1), attributes: attributes.map((a) => a.toLowerCase()) }
      ]
    })
  )

const signIn = (tenant: number) =>
  Effect.gen(function* () {
    const { url, tenants } = yield* TestServer
    const reply = yield* call(url, "POST", "/auth/session", { json: { apiKey: tenants[tenant]!.apiKey } })
    assert.strictEqual(reply.status, 200, JSON.stringify(reply.body))
    const cookies = setCookies(reply)
    return {
      session: cookies.get("sb_session")!.value,
      csrf: cookies.get("sb_csrf")!.value,
      reply
    } satisfies Signed
  })

const withCookie = (signed: Pick<Signed, "session">, headers: Record<string, string> = {}) => ({
  cookie: `sb_session=${signed.session}`,
  ...headers
})

const ticket = { subject: "Cookie-authenticated ticket", description: "from the portal", priority: "low" }

const ticketCount = (tenant: number) =>
  Effect.gen(function* () {
    const { url, tenants } = yield* TestServer
    const r = yield* call(url, "GET", "/support/tickets", { token: tenants[tenant]!.apiKey })
    assert.strictEqual(r.status, 200)
    return (r.body as ReadonlyArray<unknown>).length
  })

layer(TestServer.layer(signingEnv), { timeout: 300_000, excludeTestServices: true })(
  "the browser session",
  (it) => {
    describe("POST /auth/session", () => {
      it.effect(
        "sets the session in an HttpOnly, Secure, SameSite=Strict cookie and a readable CSRF cookie",
        () =>
          Effect.gen(function* () {
            const { tenants } = yield* TestServer
            const signed = yield* signIn(1)
            const cookies = setCookies(signed.reply)
            const session = cookies.get("sb_session")!
            const csrf = cookies.get("sb_csrf")!
            for (const attribute of ["httponly", "secure", "samesite=strict", "path=/"])
              assert.include(session.attributes, attribute)
            assert.isTrue(session.attributes.some((a) => /^max-age=\d+$/.test(a)))
            assert.notInclude(csrf.attributes, "httponly", "the page's scripts read the CSRF token")
            for (const attribute of ["secure", "samesite=strict", "path=/"])
              assert.include(csrf.attributes, attribute)
            // The body names the session and its CSRF token, never the session token or the key.
            assert.strictEqual(signed.reply.body.csrfToken, csrf.value)
            assert.strictEqual(signed.reply.body.customerId, tenants[1]!.customer.id)
            const text = JSON.stringify(signed.reply.body)
            assert.notInclude(text, signed.session)
            assert.notInclude(text, tenants[1]!.apiKey)
          })
      )

      it.effect("refuses a wrong key (401) and sets no cookie", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const wrong = `${tenants[1]!.apiKey.slice(0, -4)}aaaa`
          const r = yield* call(url, "POST", "/auth/session", { json: { apiKey: wrong } })
          assert.strictEqual(r.status, 401)
          assert.strictEqual(r.body.code, "AUTH.INVALID_KEY")
          assert.deepStrictEqual(r.headers.getSetCookie(), [])
        })
      )

      it.effect("refuses what is not an API key, and a missing key, with the one error shape", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const other = yield* call(url, "POST", "/auth/session", { json: { apiKey: "hunter2" } })
          assert.strictEqual(other.status, 401)
          assert.strictEqual(other.body.code, "AUTH.API_KEY_REQUIRED")
          assert.deepStrictEqual(other.headers.getSetCookie(), [])
          const empty = yield* call(url, "POST", "/auth/session", { json: {} })
          assert.strictEqual(empty.status, 400)
          assert.strictEqual(empty.body.field, "apiKey")
        })
      )

      it.effect("refuses a sign-in posted from another origin (login CSRF) with 403", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const r = yield* call(url, "POST", "/auth/session", {
            json: { apiKey: tenants[1]!.apiKey },
            headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" }
          })
          assert.strictEqual(r.status, 403)
          assert.strictEqual(r.body.code, "AUTH.CSRF_REJECTED")
          assert.deepStrictEqual(r.headers.getSetCookie(), [])
        })
      )
    })

    describe("the cookie", () => {
      it.effect("authenticates reads without an Authorization header", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const signed = yield* signIn(1)
          const invoices = yield* call(url, "GET", "/invoices", { headers: withCookie(signed) })
          assert.strictEqual(invoices.status, 200)
          assert.isAbove(invoices.body.data.length, 0)
          const account = yield* call(url, "GET", "/account", { headers: withCookie(signed) })
          assert.strictEqual(account.status, 200)
          assert.strictEqual(account.body.customerId, tenants[1]!.customer.id)
          assert.strictEqual(account.body.via, "session")
        })
      )

      it.effect("a state-changing request without X-CSRF-Token is 403 and changes nothing", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(2)
          const before = yield* ticketCount(2)
          const r = yield* call(url, "POST", "/support/tickets/create", {
            json: ticket,
            headers: withCookie(signed)
          })
          assert.strictEqual(r.status, 403)
          assert.strictEqual(r.body.code, "AUTH.CSRF_REJECTED")
          assert.strictEqual(yield* ticketCount(2), before)
        })
      )

      it.effect("another session's CSRF token is refused (403)", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const mine = yield* signIn(2)
          const theirs = yield* signIn(2)
          const before = yield* ticketCount(2)
          const r = yield* call(url, "POST", "/support/tickets/create", {
            json: ticket,
            headers: withCookie(mine, { "x-csrf-token": theirs.csrf })
          })
          assert.strictEqual(r.status, 403)
          assert.strictEqual(yield* ticketCount(2), before)
        })
      )

      it.effect("with the session's CSRF token from its own origin, the change is made", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(2)
          const before = yield* ticketCount(2)
          const r = yield* call(url, "POST", "/support/tickets/create", {
            json: ticket,
            headers: withCookie(signed, {
              "x-csrf-token": signed.csrf,
              origin: url,
              "sec-fetch-site": "same-origin"
            })
          })
          assert.strictEqual(r.status, 201, JSON.stringify(r.body))
          assert.strictEqual(yield* ticketCount(2), before + 1)
        })
      )

      it.effect("the right token from another origin is still refused (Origin, Sec-Fetch-Site)", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(2)
          const before = yield* ticketCount(2)
          const port = Number(new URL(url).port)
          for (const headers of [
            { origin: `http://127.0.0.1:${port + 1}` },
            { origin: "null" },
            { "sec-fetch-site": "same-site" },
            { "sec-fetch-site": "cross-site" }
          ]) {
            const r = yield* call(url, "POST", "/support/tickets/create", {
              json: ticket,
              headers: withCookie(signed, { "x-csrf-token": signed.csrf, ...headers })
            })
            assert.strictEqual(r.status, 403, JSON.stringify(headers))
            assert.strictEqual(r.body.code, "AUTH.CSRF_REJECTED")
          }
          assert.strictEqual(yield* ticketCount(2), before)
        })
      )

      it.effect("bearer clients need no CSRF token, even when a cookie is also sent", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const signed = yield* signIn(2)
          const r = yield* call(url, "POST", "/support/tickets/create", {
            json: ticket,
            token: tenants[2]!.apiKey,
            headers: { cookie: `sb_session=${signed.session}` }
          })
          assert.strictEqual(r.status, 201)
        })
      )

      it.effect("a forged cookie is 401", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(1)
          const [header, payload] = signed.session.split(".")
          for (const forged of [
            `${header}.${payload}.${"A".repeat(43)}`,
            "not-a-token",
            `${header}.${Buffer.from(JSON.stringify({ sub: "x" })).toString("base64url")}.${signed.session.split(".")[2]}`
          ]) {
            const r = yield* call(url, "GET", "/invoices", { headers: { cookie: `sb_session=${forged}` } })
            assert.strictEqual(r.status, 401, forged)
            assert.match(r.body.code, /^AUTH\./)
          }
        })
      )

      it.effect("an expired cookie is 401 AUTH.TOKEN_EXPIRED", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const token = yield* expiredSessionToken(tenants[1]!.customer)
          const r = yield* call(url, "GET", "/invoices", { headers: { cookie: `sb_session=${token}` } })
          assert.strictEqual(r.status, 401)
          assert.strictEqual(r.body.code, "AUTH.TOKEN_EXPIRED")
        })
      )

      it.effect("an API key in the cookie is not accepted (the cookie holds sessions only)", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const r = yield* call(url, "GET", "/invoices", {
            headers: { cookie: `sb_session=${tenants[1]!.apiKey}` }
          })
          assert.strictEqual(r.status, 401)
        })
      )
    })

    describe("DELETE /auth/session", () => {
      it.effect("ends the session (its cookie is refused afterwards) and clears both cookies", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(1)
          const out = yield* call(url, "DELETE", "/auth/session", {
            headers: withCookie(signed, { "x-csrf-token": signed.csrf })
          })
          assert.strictEqual(out.status, 204)
          const cleared = setCookies(out)
          for (const name of ["sb_session", "sb_csrf"]) {
            assert.strictEqual(cleared.get(name)?.value, "")
            assert.include(cleared.get(name)!.attributes, "max-age=0")
          }
          const after = yield* call(url, "GET", "/invoices", { headers: withCookie(signed) })
          assert.strictEqual(after.status, 401)
          assert.strictEqual(after.body.code, "AUTH.SESSION_REVOKED")
        })
      )

      it.effect("without the CSRF token it is refused (403) and the session goes on", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const signed = yield* signIn(1)
          const out = yield* call(url, "DELETE", "/auth/session", { headers: withCookie(signed) })
          assert.strictEqual(out.status, 403)
          const after = yield* call(url, "GET", "/invoices", { headers: withCookie(signed) })
          assert.strictEqual(after.status, 200)
        })
      )

      it.effect("clears the cookies of a session that has already expired (204)", () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const { SessionCookie } = yield* Effect.promise(() => import("@securebase/http"))
          const token = yield* expiredSessionToken(tenants[1]!.customer)
          const out = yield* call(url, "DELETE", "/auth/session", {
            headers: { cookie: `sb_session=${token}`, "x-csrf-token": SessionCookie.csrfTokenFor(token) }
          })
          assert.strictEqual(out.status, 204)
          assert.strictEqual(setCookies(out).get("sb_session")?.value, "")
        })
      )
    })
  }
)
