/**
 * The HTTP API REQUEST authorizer (payload 2.0, simple responses), invoked through its Lambda
 * entry with AWS's documented sample event on the embedded defaults (PGlite, demo tenants).
 */

import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Authenticator, Operators } from "@securebase/core"
import { Authorizer } from "@securebase/lambda"
import { Redacted } from "effect"
import type * as Container from "../../src/lambda/Container.ts"
import { authorizerEvent } from "./Events.ts"

let container: Container.Container
let app: Container.App
let handler: (event: unknown) => Promise<Authorizer.SimpleResponse>

const testEnv = { SEED_DEMO: "true", AUTH_FREE_FAILURES: "1000", AUTH_MAX_FAILURES: "2000" }
// CI exports DATABASE_URL for the database suites; this suite runs on the embedded default.
const databaseUrl = process.env.DATABASE_URL

beforeAll(async () => {
  delete process.env.DATABASE_URL
  Object.assign(process.env, testEnv)
  // The Lambda entry itself, whose container reads process.env at its first invocation.
  const entry = await import("../../src/lambda/handlers/authorizer.ts")
  container = entry.container
  handler = entry.handler
  assert.deepStrictEqual(await handler(authorizerEvent()), { isAuthorized: false })
  app = await container.get()
})

/** The context of an allowed tenant credential (fails the test for an operator's). */
const customerContext = (response: Authorizer.SimpleResponse): Authorizer.CustomerContext => {
  const context = response.context
  assert.isTrue(response.isAuthorized)
  assert.isDefined(context)
  assert.notProperty(context, "principal", "a tenant credential, not an operator key")
  return context as Authorizer.CustomerContext
}

afterAll(async () => {
  await container?.dispose()
  for (const name of Object.keys(testEnv)) delete process.env[name]
  if (databaseUrl !== undefined) process.env.DATABASE_URL = databaseUrl
})

describe("Authorizer", () => {
  it("allows a valid API key with the customer as context", async () => {
    const tenant = app.tenants[2]!
    const response = await handler(authorizerEvent(`Bearer ${tenant.apiKey}`))
    const context = customerContext(response)
    assert.strictEqual(context.customerId, tenant.customer.id)
    assert.strictEqual(context.plan, tenant.customer.plan)
    assert.include(context.scopes, "invoices:read")
    assert.match(context.keyId, /.+/)
    // The context values API Gateway forwards must be strings, numbers or booleans.
    for (const value of Object.values(response.context ?? {})) assert.strictEqual(typeof value, "string")
  })

  it("allows a session token issued for a key, with the same context", async () => {
    const tenant = app.tenants[0]!
    const session = await app.run(
      Authenticator.Authenticator.use((a) => a.exchange(tenant.apiKey, "198.51.100.7"))
    )
    const viaKey = await handler(authorizerEvent(`Bearer ${tenant.apiKey}`))
    const viaSession = await handler(authorizerEvent(`bearer ${session.token}`))
    assert.isTrue(viaSession.isAuthorized)
    assert.deepStrictEqual(viaSession.context, viaKey.context)
  })

  it("allows the portal's session cookie when there is no Authorization header, and denies a forged one or a key in it", async () => {
    const { SessionCookie } = await import("@securebase/http")
    assert.strictEqual(Authorizer.sessionCookie, SessionCookie.sessionCookie)
    const tenant = app.tenants[1]!
    const { token } = await app.run(
      Authenticator.Authenticator.use((a) => a.exchange(tenant.apiKey, "198.51.100.7"))
    )
    const withCookies = (cookies: Array<string>) => ({ ...authorizerEvent(), cookies })
    const allowed = await handler(withCookies(["theme=dark", `sb_session=${token}`, "sb_csrf=x"]))
    assert.strictEqual(customerContext(allowed).customerId, tenant.customer.id)
    assert.deepStrictEqual(await handler(withCookies([`sb_session=${token.slice(0, -3)}abc`])), {
      isAuthorized: false
    })
    assert.deepStrictEqual(await handler(withCookies([`sb_session=${tenant.apiKey}`])), {
      isAuthorized: false
    })
    assert.deepStrictEqual(await handler(withCookies(["sb_csrf=x"])), { isAuthorized: false })
  })

  it("denies a wrong secret, an unknown key, a garbage token and a missing or non-bearer header", async () => {
    const key = app.tenants[1]!.apiKey
    const wrongSecret = `${key.slice(0, -4)}${key.endsWith("AAAA") ? "BBBB" : "AAAA"}`
    for (const header of [
      `Bearer ${wrongSecret}`,
      "Bearer sb_live_unknownkeyid_secret",
      "Bearer not.a.jwt",
      `Basic ${Buffer.from("user:pass").toString("base64")}`,
      undefined
    ]) {
      assert.deepStrictEqual(await handler(authorizerEvent(header)), { isAuthorized: false }, String(header))
    }
  })

  it("denies a revoked key at once", async () => {
    const tenant = app.tenants[3]!
    const created = await app.run(
      Authenticator.Authenticator.use((a) =>
        a.createKey({ customerId: tenant.customer.id, name: "authorizer test", scopes: ["invoices:read"] })
      )
    )
    const presented = Redacted.value(created.plaintext)
    assert.isTrue((await handler(authorizerEvent(`Bearer ${presented}`))).isAuthorized)
    await app.run(Authenticator.Authenticator.use((a) => a.revokeKey(tenant.customer.id, created.key.id)))
    assert.isFalse((await handler(authorizerEvent(`Bearer ${presented}`))).isAuthorized)
  })

  it("an operator key (the /admin API's credential) was denied at the gateway: allowed with the operator as context, until revoked", async () => {
    const created = await app.run(
      Operators.Operators.use((o) => o.create({ name: "authorizer operator", scopes: ["customers:read"] }))
    )
    const key = Redacted.value(created.plaintext)
    const allowed = await handler(authorizerEvent(`Bearer ${key}`))
    assert.deepStrictEqual(allowed, {
      isAuthorized: true,
      context: { principal: "operator", operatorId: created.operator.id, scopes: "customers:read" }
    })
    // A wrong secret, a made-up operator and the key in the portal's cookie are denied.
    const other = await app.run(
      Operators.Operators.use((o) => o.create({ name: "another operator", scopes: ["customers:read"] }))
    )
    const otherKey = Redacted.value(other.plaintext)
    const wrong = `sb_op_${created.operator.id}_${otherKey.slice(`sb_op_${other.operator.id}_`.length)}`
    for (const header of [`Bearer ${wrong}`, "Bearer sb_op_00000000000000000000000000_secret"]) {
      assert.deepStrictEqual(await handler(authorizerEvent(header)), { isAuthorized: false }, header)
    }
    assert.deepStrictEqual(await handler({ ...authorizerEvent(), cookies: [`sb_session=${key}`] }), {
      isAuthorized: false
    })
    await app.run(Operators.Operators.use((o) => o.revoke(created.operator.id)))
    assert.deepStrictEqual(await handler(authorizerEvent(`Bearer ${key}`)), { isAuthorized: false })
  })

  it("fails the invocation (a gateway 500, never cached) on an event that is not a 2.0 REQUEST event", async () => {
    const v1 = { ...authorizerEvent("Bearer x"), version: "1.0" }
    const token = { type: "TOKEN", authorizationToken: "Bearer x", methodArn: "arn:aws:execute-api:..." }
    for (const bad of [v1, token, null]) {
      const outcome = await handler(bad).then(
        () => "allowed or denied",
        (error: unknown) => String(error)
      )
      assert.include(outcome, "payload format version 2.0")
    }
    // The next invocation is served as usual.
    assert.isTrue((await handler(authorizerEvent(`Bearer ${app.tenants[0]!.apiKey}`))).isAuthorized)
    assert.strictEqual(container.starts(), 1)
  })

  it("reads the credential from the Authorization header in any case, else the identity source", () => {
    const event = (headers: Record<string, string>, identitySource?: Array<string>) =>
      ({
        version: "2.0",
        type: "REQUEST",
        headers,
        ...(identitySource === undefined ? {} : { identitySource }),
        requestContext: { http: { sourceIp: "192.0.2.1" } }
      }) as const
    assert.strictEqual(Authorizer.credentialOf(event({ Authorization: "Bearer abc" })), "abc")
    assert.strictEqual(Authorizer.credentialOf(event({}, ["BEARER xyz"])), "xyz")
    assert.strictEqual(Authorizer.credentialOf(event({ authorization: "Bearer" })), undefined)
    assert.strictEqual(Authorizer.credentialOf(event({ authorization: "Token abc" })), undefined)
  })
})
