/**
 * The API on Lambda, invoked with AWS's HTTP API payload 2.0 sample event on the embedded defaults
 * (PGlite, in-memory cache, demo tenants): parity with the Node server on the same services, one
 * build per container, and failures that stay inside their invocation.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type { ApiGatewayV2 } from "@securebase/lambda"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { routesLayer } from "../../src/Layers.ts"
import * as ApiHandler from "../../src/lambda/ApiHandler.ts"
import * as Container from "../../src/lambda/Container.ts"
import { httpApiEvent, type RequestSpec } from "./Events.ts"
import * as NodeServer from "./NodeServer.ts"

// Every request of a suite comes from one address: a lenient failure throttle keeps the
// deliberate 401s from locking the suite out (throttling has its own tests in core and http).
const testEnv = { SEED_DEMO: "true", AUTH_FREE_FAILURES: "1000", AUTH_MAX_FAILURES: "2000" }

let container: Container.Container
let api: ApiHandler.ApiHandler
let node: Awaited<ReturnType<typeof NodeServer.start>>
let app: Container.App
let key: string

beforeAll(async () => {
  container = Container.make({ env: () => testEnv })
  api = ApiHandler.make(container, { logRequests: false })
  // The first invocation starts the container (the cold start), as on Lambda.
  const health = await api.handler(httpApiEvent({ method: "GET", path: "/health" }))
  assert.strictEqual(health.statusCode, 200)
  app = await container.get()
  key = app.tenants[1]!.apiKey
  node = await NodeServer.start(app)
})

afterAll(async () => {
  await node?.close()
  await api?.dispose()
  await container?.dispose()
})

const lambdaReply = (result: ApiGatewayV2.HttpApiResult): NodeServer.Reply => ({
  status: result.statusCode,
  headers: result.headers,
  bytes: result.isBase64Encoded
    ? new Uint8Array(Buffer.from(result.body, "base64"))
    : new TextEncoder().encode(result.body)
})

const both = async (spec: RequestSpec) => {
  const viaNode = await NodeServer.call(node.url, spec)
  const result = await api.handler(httpApiEvent(spec))
  return { viaNode, viaLambda: lambdaReply(result), result }
}

// Headers the API decides (the transport's date, connection and length are not compared).
const relevant = [
  "content-type",
  "content-disposition",
  "retry-after",
  "ratelimit-limit",
  "ratelimit-remaining"
]
const pick = (headers: Record<string, string>) =>
  Object.fromEntries(relevant.filter((h) => headers[h] !== undefined).map((h) => [h, headers[h]!]))

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
// The one field that is the time of the request itself (`/metrics`' "as of now").
const timeless = (body: string) => body.replace(/"asOf":"[^"]*"/g, '"asOf":"<now>"')

const assertSame = (viaNode: NodeServer.Reply, viaLambda: NodeServer.Reply, label: string) => {
  assert.strictEqual(viaLambda.status, viaNode.status, `${label}: status`)
  assert.deepStrictEqual(pick(viaLambda.headers), pick(viaNode.headers), `${label}: headers`)
  assert.strictEqual(timeless(text(viaLambda.bytes)), timeless(text(viaNode.bytes)), `${label}: body`)
}

describe("ApiHandler: parity with the Node server", () => {
  it("answers the same status, headers and body to the same requests", async () => {
    const bearer = { authorization: `Bearer ${key}` }
    const list = await both({ method: "GET", path: "/invoices", headers: bearer })
    const invoices = JSON.parse(text(list.viaLambda.bytes)).data ?? JSON.parse(text(list.viaLambda.bytes))
    const invoiceId: string = (Array.isArray(invoices) ? invoices : invoices.items)[0].id
    const specs: Array<RequestSpec> = [
      { method: "GET", path: "/invoices", headers: bearer },
      { method: "GET", path: "/invoices?status=paid&limit=1", headers: bearer },
      { method: "GET", path: `/invoices/${invoiceId}`, headers: bearer },
      { method: "GET", path: "/invoices/5ecb0a5e-0000-4000-8000-00ff00000000", headers: bearer },
      { method: "GET", path: "/invoices/not-a-uuid", headers: bearer },
      { method: "GET", path: "/metrics/history?months=2", headers: bearer },
      { method: "GET", path: "/compliance/findings?status=open", headers: bearer },
      { method: "GET", path: "/support/tickets", headers: bearer },
      { method: "GET", path: "/invoices" },
      { method: "GET", path: "/invoices", headers: { authorization: "Bearer sb_live_nope_nope" } },
      {
        method: "POST",
        path: "/usage/events",
        headers: { ...bearer, "content-type": "application/json" },
        body: "{not json"
      },
      { method: "GET", path: "/no/such/route" },
      { method: "GET", path: "/openapi.json" }
    ]
    const statuses = new Set<number>()
    for (const spec of specs) {
      const { viaNode, viaLambda } = await both(spec)
      assertSame(viaNode, viaLambda, `${spec.method} ${spec.path}`)
      statuses.add(viaLambda.status)
    }
    // The table covers successes and each kind of refusal, not one status many times.
    for (const status of [200, 400, 401, 404]) assert.isTrue(statuses.has(status), `saw ${status}`)
  })

  it("serves the invoice PDF base64-encoded on Lambda, byte-identical to the Node server's", async () => {
    const bearer = { authorization: `Bearer ${key}` }
    // Every request goes to both front ends, so their rate-limit counters stay in step.
    const list = JSON.parse((await both({ method: "GET", path: "/invoices", headers: bearer })).result.body)
    const id: string = (Array.isArray(list) ? list : (list.data ?? list.items))[0].id
    const { viaNode, viaLambda, result } = await both({
      method: "GET",
      path: `/invoices/${id}/download`,
      headers: bearer
    })
    assert.strictEqual(viaNode.status, 200)
    assert.isTrue(result.isBase64Encoded)
    assert.strictEqual(viaLambda.headers["content-type"], "application/pdf")
    assert.match(viaLambda.headers["content-disposition"] ?? "", /attachment; filename=".+\.pdf"/)
    assert.strictEqual(text(viaLambda.bytes.slice(0, 5)), "%PDF-")
    assert.deepStrictEqual(viaLambda.bytes, viaNode.bytes)
    assert.deepStrictEqual(pick(viaLambda.headers), pick(viaNode.headers))
  })

  it("exchanges a key for a session on Lambda that both front ends accept", async () => {
    const { result: exchanged } = await both({
      method: "POST",
      path: "/auth/authenticate",
      headers: { authorization: `Bearer ${key}` }
    })
    assert.strictEqual(exchanged.statusCode, 200)
    const session = JSON.parse(exchanged.body)
    assert.strictEqual(session.tokenType, "Bearer")
    assert.strictEqual(session.customerId, app.tenants[1]!.customer.id)
    const { viaNode, viaLambda } = await both({
      method: "GET",
      path: "/metrics",
      headers: { authorization: `Bearer ${session.token}` }
    })
    assert.strictEqual(viaLambda.status, 200)
    assertSame(viaNode, viaLambda, "GET /metrics with a session")
  })

  it("signs in to the portal on Lambda: cookies in the 2.0 `cookies` array, then cookie-authenticated reads and CSRF-checked writes", async () => {
    const host = "abc123.execute-api.us-east-1.amazonaws.com"
    const signIn = await api.handler(
      httpApiEvent({
        method: "POST",
        path: "/auth/session",
        headers: { "content-type": "application/json", host, origin: `https://${host}` },
        body: JSON.stringify({ apiKey: key })
      })
    )
    assert.strictEqual(signIn.statusCode, 200)
    const cookies = signIn.cookies ?? []
    assert.strictEqual(cookies.length, 2)
    const session = cookies.find((c) => c.startsWith("sb_session="))!
    assert.match(session, /HttpOnly/)
    assert.match(session, /Secure/)
    assert.match(session, /SameSite=Strict/)
    const pairs = cookies.map((c) => c.split(";")[0]!)
    const csrf = pairs.find((c) => c.startsWith("sb_csrf="))!.slice("sb_csrf=".length)
    const withCookies = (spec: RequestSpec) => ({ ...httpApiEvent(spec), cookies: pairs })
    const read = await api.handler(withCookies({ method: "GET", path: "/account", headers: { host } }))
    assert.strictEqual(read.statusCode, 200)
    assert.strictEqual(JSON.parse(read.body).via, "session")
    const ticket = { subject: "From the portal on Lambda", description: "x", priority: "low" }
    const forged = await api.handler(
      withCookies({
        method: "POST",
        path: "/support/tickets/create",
        headers: { host, "content-type": "application/json" },
        body: JSON.stringify(ticket)
      })
    )
    assert.strictEqual(forged.statusCode, 403)
    const written = await api.handler(
      withCookies({
        method: "POST",
        path: "/support/tickets/create",
        headers: {
          host,
          origin: `https://${host}`,
          "content-type": "application/json",
          "x-csrf-token": csrf
        },
        body: JSON.stringify(ticket)
      })
    )
    assert.strictEqual(written.statusCode, 201)
  })

  it("strips a named stage's prefix from rawPath", async () => {
    const event = httpApiEvent({ method: "GET", path: "/prod/health" })
    event.requestContext.stage = "prod"
    const result = await api.handler(event)
    assert.strictEqual(result.statusCode, 200)
    assert.strictEqual(JSON.parse(result.body).status, "ok")
  })
})

describe("ApiHandler: one app per container", () => {
  it("builds the container and the web handler once across warm invocations", async () => {
    for (let i = 0; i < 5; i++) {
      const result = await api.handler(httpApiEvent({ method: "GET", path: "/health" }))
      assert.strictEqual(result.statusCode, 200)
    }
    assert.strictEqual(container.starts(), 1)
    assert.strictEqual(api.builds(), 1)
  })

  it("answers 400 to an event that is not payload 2.0, and the next invocation is served", async () => {
    const v1 = { ...httpApiEvent({ method: "GET", path: "/health" }), version: "1.0" }
    for (const bad of [v1, null, "GET /health", {}, { version: "2.0" }]) {
      const result = await api.handler(bad)
      assert.strictEqual(result.statusCode, 400)
      const body = JSON.parse(result.body)
      assert.strictEqual(body._tag, "BadRequest")
      assert.strictEqual(body.code, "LAMBDA.UNSUPPORTED_EVENT")
    }
    const after = await api.handler(httpApiEvent({ method: "GET", path: "/health" }))
    assert.strictEqual(after.statusCode, 200)
    assert.strictEqual(api.builds(), 1)
  })

  it("keeps a handler defect inside its invocation (500 in the error shape, then business as usual)", async () => {
    const defect = HttpRouter.add("GET", "/defect", Effect.die(new Error("boom")))
    const withDefect = ApiHandler.make(container, {
      logRequests: false,
      routes: (config) => Layer.merge(routesLayer(config), defect) as ReturnType<typeof routesLayer>
    })
    try {
      const failed = await withDefect.handler(httpApiEvent({ method: "GET", path: "/defect" }))
      assert.strictEqual(failed.statusCode, 500)
      assert.notInclude(failed.body, "boom")
      const next = await withDefect.handler(
        httpApiEvent({ method: "GET", path: "/invoices", headers: { authorization: `Bearer ${key}` } })
      )
      assert.strictEqual(next.statusCode, 200)
      assert.strictEqual(withDefect.builds(), 1)
      // The second web handler reused the container's services: still one start.
      assert.strictEqual(container.starts(), 1)
    } finally {
      await withDefect.dispose()
    }
  })

  it("retries a failed cold start at the next invocation instead of replaying the failure", async () => {
    let env: Record<string, string> = { SECUREBASE_ENV: "prod" } // no DATABASE_URL: refused
    const fresh = Container.make({ env: () => env })
    const handler = ApiHandler.make(fresh, { logRequests: false })
    try {
      const first = await handler.handler(httpApiEvent({ method: "GET", path: "/health" })).then(
        () => "served",
        (error: unknown) => String(error)
      )
      assert.include(first, "DATABASE_URL is required in prod")
      env = {}
      const second = await handler.handler(httpApiEvent({ method: "GET", path: "/health" }))
      assert.strictEqual(second.statusCode, 200)
      assert.strictEqual(fresh.starts(), 2)
      assert.strictEqual(handler.builds(), 1)
    } finally {
      await handler.dispose()
      await fresh.dispose()
    }
  })
})

describe("ApiHandler: the client is the gateway's sourceIp, never a header", () => {
  it("rotating X-Forwarded-For (even with TRUST_PROXY=1 set) neither escapes the rate limit nor spends another address's", async () => {
    const limited = Container.make({
      env: () => ({
        RATE_LIMIT_REQUESTS: "5",
        TRUST_PROXY: "1",
        AUTH_FREE_FAILURES: "1000",
        AUTH_MAX_FAILURES: "2000"
      })
    })
    const handler = ApiHandler.make(limited, { logRequests: false })
    try {
      const from = (sourceIp: string, forwardedFor: string) => {
        const event = httpApiEvent({
          method: "GET",
          path: "/openapi.json",
          headers: { "x-forwarded-for": forwardedFor }
        })
        event.requestContext.http.sourceIp = sourceIp
        return handler.handler(event)
      }
      const statuses: Array<number> = []
      let last: ApiGatewayV2.HttpApiResult | undefined
      for (let i = 0; i < 6; i++) {
        last = await from("192.0.2.10", `198.51.100.${i}, 192.0.2.11`)
        statuses.push(last.statusCode)
      }
      assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 429])
      assert.strictEqual(last!.headers["retry-after"], String(JSON.parse(last!.body).retryAfterSeconds))
      // The address the spoofed headers named has its whole budget.
      const other = await from("192.0.2.11", "192.0.2.10")
      assert.strictEqual(other.statusCode, 200)
      assert.strictEqual(other.headers["ratelimit-remaining"], "4")
    } finally {
      await handler.dispose()
      await limited.dispose()
    }
  })
})
