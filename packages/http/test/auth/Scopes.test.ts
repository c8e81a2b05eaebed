/**
 * Scopes are declared on the endpoints: every endpoint behind the bearer middleware names the
 * scope it needs (a few are for any credential, on purpose, and listed here), and the OpenAPI
 * document shows it where readers look for it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { HttpApi, OpenApi } from "effect/http-api"
import { Api } from "../../src/Api.ts"
import { Authentication } from "../../src/auth/Authentication.ts"
import * as Scopes from "../../src/auth/Scopes.ts"

/** Endpoints any authenticated caller may use, whatever its scopes. */
const forAnyCredential = new Set(["GET /account", "POST /auth/logout"])

const authenticated = (): Array<{ readonly route: string; readonly scope: Option.Option<string> }> => {
  const out: Array<{ route: string; scope: Option.Option<string> }> = []
  HttpApi.reflect(Api, {
    onGroup: () => undefined,
    onEndpoint: ({ endpoint, middleware }) => {
      if (!middleware.has(Authentication as never)) return
      out.push({ route: `${endpoint.method} ${endpoint.path}`, scope: Scopes.of(endpoint) })
    }
  })
  return out
}

describe("Scopes", () => {
  it("every authenticated endpoint declares its scope, but for the few meant for any credential", () => {
    const routes = authenticated()
    assert.isAbove(routes.length, 15)
    const undeclared = routes.filter((r) => Option.isNone(r.scope)).map((r) => r.route)
    assert.deepStrictEqual(undeclared.sort(), Array.from(forAnyCredential).sort())
  })

  it("the OpenAPI document lists the scope in the operation's security requirement", () => {
    const doc = OpenApi.fromApi(Api)
    assert.deepStrictEqual(doc.paths["/invoices"]?.get?.security, [{ bearer: ["invoices:read"] }])
    assert.deepStrictEqual(doc.paths["/api-keys/create"]?.post?.security, [{ bearer: ["api_keys:write"] }])
    assert.strictEqual((doc.paths["/usage/events"]!.post as any)["x-required-scope"], "usage:write")
  })
})
