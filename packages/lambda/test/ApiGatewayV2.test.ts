/** The conversions, on AWS's documented sample event for HTTP API payload format 2.0. */
import { readFileSync } from "node:fs"
import { gunzipSync, gzipSync } from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { fromResponse, HttpApiEvent, toRequest } from "../src/ApiGatewayV2.ts"

const sample = () => JSON.parse(readFileSync(new URL("./events/apigw-v2-post.json", import.meta.url), "utf8"))
const decode = Schema.decodeUnknownSync(HttpApiEvent)

describe("ApiGatewayV2.toRequest", () => {
  it("rebuilds method, URL (repeated query parameters kept), headers, cookies, client IP and body", async () => {
    const request = toRequest(decode(sample()))
    assert.strictEqual(request.method, "POST")
    const url = new URL(request.url)
    assert.strictEqual(url.host, "id.execute-api.us-east-1.amazonaws.com")
    assert.strictEqual(url.pathname, "/my/path")
    assert.deepStrictEqual(url.searchParams.getAll("parameter1"), ["value1", "value2"])
    assert.strictEqual(request.headers.get("header2"), "value1,value2")
    assert.strictEqual(request.headers.get("cookie"), "cookie1; cookie2")
    assert.strictEqual(request.headers.get("x-forwarded-for"), "192.0.2.1")
    assert.strictEqual(request.headers.get("x-request-id"), "id")
    assert.strictEqual(await request.text(), "Hello from Lambda")
  })

  it("decodes a base64 body to the exact bytes", async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255, 37, 80, 68, 70])
    const event = { ...sample(), body: Buffer.from(bytes).toString("base64"), isBase64Encoded: true }
    const request = toRequest(decode(event))
    assert.deepStrictEqual(new Uint8Array(await request.arrayBuffer()), bytes)
  })

  it("strips a named stage's prefix and drops a body on GET", () => {
    const event = sample()
    event.rawPath = "/prod/invoices/abc"
    event.requestContext.stage = "prod"
    event.requestContext.http.method = "GET"
    const request = toRequest(decode(event))
    assert.strictEqual(new URL(request.url).pathname, "/invoices/abc")
    assert.strictEqual(request.body, null)
  })

  it("keeps the gateway's x-forwarded-for when it set one", () => {
    const event = sample()
    event.headers["x-forwarded-for"] = "203.0.113.9, 10.0.0.1"
    assert.strictEqual(toRequest(decode(event)).headers.get("x-forwarded-for"), "203.0.113.9, 10.0.0.1")
  })

  it("with clientAddress: sourceIp, sets x-forwarded-for to the gateway's sourceIp, whatever the client sent", () => {
    const event = sample()
    // HTTP API appends the caller's address to a client-supplied header: the first entry is forgeable.
    event.headers["x-forwarded-for"] = "203.0.113.9, 192.0.2.1"
    const request = toRequest(decode(event), { clientAddress: "sourceIp" })
    assert.strictEqual(request.headers.get("x-forwarded-for"), "192.0.2.1")
  })

  it("refuses an event that is not payload 2.0", () => {
    const v1 = { ...sample(), version: "1.0" }
    assert.throws(() => decode(v1))
    const { requestContext: _, ...noContext } = sample()
    assert.throws(() => decode(noContext))
  })
})

describe("ApiGatewayV2.fromResponse", () => {
  it("returns JSON as text", async () => {
    const result = await fromResponse(Response.json({ ok: true }, { status: 201, headers: { "x-a": "1" } }))
    assert.strictEqual(result.statusCode, 201)
    assert.isFalse(result.isBase64Encoded)
    assert.deepStrictEqual(JSON.parse(result.body), { ok: true })
    assert.strictEqual(result.headers["x-a"], "1")
    assert.strictEqual(result.cookies, undefined)
  })

  it("returns a PDF base64-encoded, byte for byte", async () => {
    const pdf = Uint8Array.from([37, 80, 68, 70, 45, 49, 46, 55, 10, 0, 255, 128])
    const result = await fromResponse(new Response(pdf, { headers: { "content-type": "application/pdf" } }))
    assert.isTrue(result.isBase64Encoded)
    assert.deepStrictEqual(new Uint8Array(Buffer.from(result.body, "base64")), pdf)
  })

  it("returns a compressed text body base64-encoded, so the gateway passes the gzip bytes through", async () => {
    const html = new TextEncoder().encode("<!doctype html><p>docs</p>".repeat(50))
    const gzipped = new Uint8Array(gzipSync(html))
    const result = await fromResponse(
      new Response(gzipped, {
        headers: { "content-type": "text/html; charset=utf-8", "content-encoding": "gzip" }
      })
    )
    assert.isTrue(result.isBase64Encoded)
    assert.strictEqual(result.headers["content-encoding"], "gzip")
    assert.deepStrictEqual(new Uint8Array(gunzipSync(Buffer.from(result.body, "base64"))), html)
  })

  it("moves every set-cookie into the cookies array", async () => {
    const headers = new Headers()
    headers.append("set-cookie", "a=1; Path=/; HttpOnly")
    headers.append("set-cookie", "b=2; Secure")
    headers.set("content-type", "text/plain")
    const result = await fromResponse(new Response("hi", { headers }))
    assert.deepStrictEqual(result.cookies, ["a=1; Path=/; HttpOnly", "b=2; Secure"])
    assert.isUndefined(result.headers["set-cookie"])
    assert.strictEqual(result.body, "hi")
  })

  it("an empty 204 is an empty text body", async () => {
    const result = await fromResponse(new Response(null, { status: 204 }))
    assert.strictEqual(result.statusCode, 204)
    assert.strictEqual(result.body, "")
    assert.isFalse(result.isBase64Encoded)
  })
})
