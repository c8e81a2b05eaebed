/**
 * The API reference people use: an OpenAPI document that a standard validator accepts, with the
 * bearer scheme declared properly; `/docs` offline and compressed; errors that name what is
 * allowed (enum values, methods) and how to authenticate.
 */
import { request as httpRequest } from "node:http"
import { gunzipSync } from "node:zlib"
import SwaggerParser from "@apidevtools/swagger-parser"
import { assert, describe, it, layer } from "@effect/vitest"
import { Api } from "@securebase/http/api"
import { Effect, Exit, Schema } from "effect"
import { HttpApi, OpenApi } from "effect/http-api"
import { audit, operations } from "../support/ReferenceAudit.ts"
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

describe("the reference audit", () => {
  it("names each undocumented operation, field, parameter and request body without an example", () => {
    const doc = {
      paths: {
        "/things/{id}": {
          get: {
            summary: "Get a thing",
            description: "One thing.",
            security: [{ bearer: ["things:read"] }],
            parameters: [{ name: "id", in: "path", schema: { type: "string" } }],
            responses: {
              "200": { content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } }
            }
          },
          post: {
            security: [{ bearer: [] }],
            requestBody: {
              content: { "application/json": { schema: { $ref: "#/components/schemas/NewThing" } } }
            }
          }
        },
        "/open": { get: { summary: "Open", description: "Anyone, no scope needed.", security: [] } }
      },
      components: {
        schemas: {
          Thing: {
            type: "object",
            properties: {
              id: { type: "string", description: "The id." },
              size: {
                type: "object",
                description: "How big.",
                properties: { width: { type: "number" }, height: { type: "number", description: "Up." } }
              },
              tags: { type: "array", items: { type: "object", properties: { label: { type: "string" } } } }
            }
          },
          NewThing: { type: "object", properties: { name: { $ref: "#/components/schemas/Name" } } },
          Name: { type: "string", description: "A name." }
        }
      }
    }
    assert.sameMembers(audit(doc), [
      "field Thing.size.width has no description",
      "field Thing.tags has no description",
      "field Thing.tags.label has no description",
      "field NewThing.name has no description",
      "operation POST /things/{id} has no summary",
      "operation POST /things/{id} has no description",
      "operation POST /things/{id} names no scope (and its description does not say it needs none)",
      'parameter path "id" of GET /things/{id} has no description',
      "request body of POST /things/{id} has no example"
    ])
    const documented = structuredClone(doc) as any
    documented.components.schemas.NewThing.examples = [{ name: "box" }]
    assert.notInclude(audit(documented), "request body of POST /things/{id} has no example")
  })
})

describe("the request body examples", () => {
  it("decode with their endpoint's own payload schema: the reference shows requests the API accepts", () => {
    const doc: any = OpenApi.fromApi(Api)
    const checked: Array<string> = []
    HttpApi.reflect(Api, {
      onGroup: () => {},
      onEndpoint: ({ endpoint }) => {
        const path = endpoint.path.replace(/:(\w+)/g, "{$1}")
        const body =
          doc.paths[path]?.[endpoint.method.toLowerCase()]?.requestBody?.content?.["application/json"]
        if (body === undefined) return
        const name = String(body.schema.$ref).replace("#/components/schemas/", "")
        const examples: Array<unknown> = doc.components.schemas[name]?.examples ?? []
        assert.isNotEmpty(examples, `${endpoint.method} ${path}`)
        for (const schema of [...endpoint.payload.values()].flatMap((entry) => entry.schemas)) {
          for (const example of examples) {
            const decoded = Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)(example)
            assert.isTrue(Exit.isSuccess(decoded), `${endpoint.method} ${path}: ${String(decoded)}`)
          }
        }
        checked.push(`${endpoint.method} ${path}`)
      }
    })
    assert.includeMembers(checked, [
      "POST /auth/session",
      "POST /usage/events",
      "POST /api-keys/create",
      "POST /support/tickets/create"
    ])
  })
})

layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })("the API reference", (it) => {
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

  describe("documentation of every operation and field", () => {
    it.effect(
      "every operation has a summary, a description and its scope; every field and parameter a description; every JSON request body an example",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const r = yield* call(url, "GET", "/openapi.json")
          assert.strictEqual(r.status, 200)
          assert.isAtLeast(operations(r.body).length, 22)
          assert.deepStrictEqual(audit(r.body), [])
        }),
      120_000
    )

    it.effect(
      "amounts say they are minor units as strings with a formatted example; instants say RFC 3339 UTC",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const { body: doc } = yield* call(url, "GET", "/openapi.json")
          const total = doc.components.schemas.Invoice.properties.total
          assert.strictEqual(total.$ref, "#/components/schemas/MinorUnitsEncoded")
          assert.include(total.description, "minor units as a string")
          assert.match(total.description, /"\d+" = \$\d+\.\d{2}/)
          assert.include(doc.components.schemas.Invoice.properties.issuedAt.description, "RFC 3339 UTC")
          const list = doc.paths["/invoices"].get
          assert.include(list.summary, "invoices")
          assert.include(list.description, "`invoices:read`")
          assert.deepInclude(
            list.parameters.find((p: any) => p.name === "limit"),
            { in: "query", description: "How many invoices per page, 1 to 100 (default 20)." }
          )
          assert.deepStrictEqual(doc.components.schemas.BadRequestEncoded.required.includes("_tag"), true)
          for (const field of ["_tag", "code", "message", "field"]) {
            assert.isString(doc.components.schemas.BadRequestEncoded.properties[field].description, field)
          }
        }),
      120_000
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
    it.effect(
      "its compression is the page's alone: other routes answer a gzip-accepting client as before",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          for (const path of ["/openapi.json", "/health"]) {
            const r = yield* raw(`${url}${path}`, { "accept-encoding": "gzip, deflate, br" })
            assert.strictEqual(r.status, 200, path)
            assert.isUndefined(r.headers["content-encoding"], path)
            assert.isObject(JSON.parse(r.body.toString("utf8")), path)
          }
        })
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
