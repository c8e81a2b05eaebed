/**
 * The API reference people use: an OpenAPI document that a standard validator accepts, with the
 * bearer scheme declared properly; `/docs` offline and compressed; errors that name what is
 * allowed (enum values, methods) and how to authenticate.
 */
import { request as httpRequest } from "node:http"
import { gunzipSync } from "node:zlib"
import SwaggerParser from "@apidevtools/swagger-parser"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

/** A raw GET, so the test sees the bytes on the wire (fetch would decompress them). */
const raw = (url: string, headers: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
        (resolve, reject) => {
          const req = httpRequest(url, { headers }, (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
            )
          })
          req.on("error", reject)
          req.end()
        }
      )
  )

layer(TestServer.layer(), { timeout: 60_000, excludeTestServices: true })("the API reference", (it) => {
  describe("/openapi.json", () => {
    it.effect(
      "is a valid OpenAPI document (swagger-parser) declaring HTTP bearer authentication",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const r = yield* call(url, "GET", "/openapi.json")
          assert.strictEqual(r.status, 200)
          const doc = r.body
          yield* Effect.promise(() => SwaggerParser.validate(structuredClone(doc)))
          assert.deepInclude(doc.components.securitySchemes.bearer, { type: "http", scheme: "bearer" })
          assert.deepStrictEqual(doc.paths["/invoices"].get.security, [{ bearer: ["invoices:read"] }])
        }),
      60_000
    )
  })

  describe("/docs", () => {
    it.effect(
      "is sent gzip-compressed to clients that accept it, plain to others, and is the same page",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const zipped = yield* raw(`${url}/docs`, { "accept-encoding": "gzip, deflate, br" })
          assert.strictEqual(zipped.status, 200)
          assert.strictEqual(zipped.headers["content-encoding"], "gzip")
          const plain = yield* raw(`${url}/docs`, {})
          assert.strictEqual(plain.status, 200)
          assert.isUndefined(plain.headers["content-encoding"])
          assert.isTrue(
            zipped.body.length * 2 < plain.body.length,
            `${zipped.body.length} vs ${plain.body.length}`
          )
          assert.isTrue(gunzipSync(zipped.body).equals(plain.body))
          const html = plain.body.toString("utf8")
          assert.include(html, '"showDeveloperTools":"never"')
          assert.include(html, '"withDefaultFonts":false')
        }),
      60_000
    )
  })

  describe("errors that say what is allowed", () => {
    it.effect("an unknown enum value names the allowed values", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const r = yield* call(url, "GET", "/invoices?status=bogus", { token: tenants[0]!.apiKey })
        assert.strictEqual(r.status, 400)
        assert.strictEqual(r.body.field, "status")
        assert.include(r.body.message, 'Expected one of "draft", "issued", "paid", "overdue", "cancelled"')
      })
    )

    it.effect("a request without credentials gets 401 with WWW-Authenticate: Bearer", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const none = yield* call(url, "GET", "/invoices")
        assert.strictEqual(none.status, 401)
        assert.strictEqual(none.headers.get("www-authenticate"), 'Bearer realm="securebase"')
        const wrong = yield* call(url, "GET", "/invoices", { token: "sb_live_aaaaaaaaaaaaaaaa_bbbb" })
        assert.strictEqual(wrong.status, 401)
        assert.strictEqual(wrong.headers.get("www-authenticate"), 'Bearer realm="securebase"')
      })
    )

    it.effect("a known path with the wrong method gets 405 with Allow; an unknown path stays 404", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const token = tenants[0]!.apiKey
        const del = yield* call(url, "DELETE", "/invoices", { token })
        assert.strictEqual(del.status, 405)
        assert.strictEqual(del.headers.get("allow"), "GET, HEAD")
        assert.deepInclude(del.body, { _tag: "MethodNotAllowed", code: "ROUTE.METHOD_NOT_ALLOWED" })
        const put = yield* call(url, "PUT", "/invoices/5ecb0a5e-0000-4000-8000-000200000022", { token })
        assert.strictEqual(put.status, 405)
        const health = yield* call(url, "POST", "/health")
        assert.strictEqual(health.status, 405)
        assert.strictEqual(health.headers.get("allow"), "GET, HEAD")
        const keys = yield* call(url, "GET", "/usage/events", { token })
        assert.strictEqual(keys.status, 405)
        assert.strictEqual(keys.headers.get("allow"), "POST")
        const unknown = yield* call(url, "GET", "/no/such/route", { token })
        assert.strictEqual(unknown.status, 404)
        assert.strictEqual(unknown.body.code, "ROUTE.NOT_FOUND")
      })
    )
  })
})
