/**
 * The offline `/docs` reference in a real Chromium: it renders, reaches nothing outside the server,
 * its examples authenticate with Bearer, and it shows the operations' summaries and request examples.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Browser from "../support/Browser.ts"
import { TestServer } from "../support/TestServer.ts"

describe.runIf(Browser.unavailable === undefined)("the /docs page in Chromium", () => {
  layer(TestServer.layer(), { timeout: 300_000, excludeTestServices: true })((it) => {
    it.effect(
      "renders offline with bearer examples, the operations' summaries and request examples, and no toolbar that calls the vendor's cloud",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const browser = yield* Browser.browser
          const { page, external } = yield* Browser.page(browser)
          yield* Effect.promise(() => page.goto(`${url}/docs`))
          yield* Effect.promise(() =>
            page.getByRole("heading", { name: "SecureBase API" }).first().waitFor({ timeout: 60_000 })
          )
          const invoices = page
            .locator("pre, code")
            .filter({ hasText: `curl '${url}/invoices?` })
            .first()
          yield* Effect.promise(() => invoices.waitFor({ timeout: 60_000 }))
          const example = yield* Effect.promise(() => invoices.innerText())
          assert.include(example, "Authorization: Bearer")
          assert.notMatch(example, /Basic|username:password/)
          // The reference shows what the OpenAPI document says: summaries, and request examples.
          yield* Effect.promise(() => page.getByText("List invoices").first().waitFor({ timeout: 60_000 }))
          const usage = page
            .locator("pre, code")
            .filter({ hasText: "curl" })
            .filter({ hasText: "evt_2026-11-28_0001" })
            .first()
          yield* Effect.promise(() => usage.waitFor({ timeout: 60_000 }))
          const usageExample = yield* Effect.promise(() => usage.innerText())
          assert.include(usageExample, `${url}/usage/events`)
          assert.include(usageExample, "Authorization: Bearer")
          const body = yield* Effect.promise(() => page.locator("body").innerText())
          assert.notInclude(body, "Generate SDKs")
          assert.notInclude(body, "Share")
          assert.deepStrictEqual(external, [], "every request stays on the server")
        }).pipe(Effect.scoped),
      120_000
    )
  })
})
