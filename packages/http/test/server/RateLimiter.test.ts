/**
 * `RateLimiter.pathOf`: the path the exemption list is matched against is exactly the WHATWG URL
 * parser's, whether or not the fast path skipped the parse.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { pathOf } from "../../src/server/RateLimiter.ts"

const base = "http://local"
// What the parser makes of it; a target it refuses keeps its raw path.
const parsed = (url: string) =>
  URL.canParse(url, base) ? new URL(url, base).pathname : url.slice(0, url.search(/[?#]|$/))

describe("RateLimiter.pathOf", () => {
  it("equals the URL parser's path for the targets a client can send", () => {
    for (const url of [
      "/health",
      "/health?x=1",
      "/health#frag",
      "/invoices/5ecb0a5e-0000-4000-8000-000200000022/download?a=b",
      "/foo/../health",
      "/./health",
      "/%68ealth",
      "/health\\..\\x",
      "//health",
      "/he\talth",
      "/héalth",
      "/a b",
      "http://evil.example/health",
      "/"
    ])
      assert.strictEqual(pathOf(url), parsed(url), url)
  })

  it("answers a target the URL parser refuses with its raw path instead of throwing", () => {
    assert.strictEqual(pathOf("//"), "//")
    assert.strictEqual(pathOf("//?health"), "//")
  })

  it("equals the URL parser's path for any target starting with a slash", () => {
    const chars = fc.constantFrom(..."/abz09._~-%\\?#&=+@:!$'()*,; \t\né<>\"`{}^|[]".split(""))
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 24 }), (cs) => {
        const url = `/${cs.join("")}`
        return pathOf(url) === parsed(url)
      }),
      { numRuns: 5000 }
    )
  })
})
