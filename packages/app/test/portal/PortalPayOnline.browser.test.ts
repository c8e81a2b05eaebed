/**
 * The portal's "Pay online" link in a real Chromium, against the real server on embedded PGlite
 * with PAYMENTS=stripe and the Stripe STAND-IN (`@securebase/adapters/testing`): an unpaid invoice
 * says its payment link is not available yet until its push has delivered, then links to the hosted
 * page the push stored (a new tab, `rel="noopener noreferrer"`) with a clean console and no serious
 * or critical axe-core violation; a paid invoice shows no link and never asks for one. (With manual
 * payments the portal never asks either: Portal.browser.test.ts walks it with a clean console.)
 */

import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { StripeStandIn } from "@securebase/adapters/testing"
import { PaymentCollection } from "@securebase/core"
import { Context, Effect, Layer } from "effect"
import * as Browser from "../support/Browser.ts"
import { signingEnv } from "../support/Sessions.ts"
import { call, TestServer } from "../support/TestServer.ts"

const root = resolve(import.meta.dirname, "../../../..")
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")
const wait = { timeout: 60_000 }
const long = 300_000

describe.runIf(Browser.unavailable === undefined)("the portal's pay link with Stripe, in Chromium", () => {
  beforeAll(() => {
    // The server reads the built portal when it starts: build it first if the sources changed.
    execFileSync(process.execPath, [join(root, "scripts/build-portal.ts")], { cwd: root, stdio: "inherit" })
  }, long)

  it.live(
    "an unpaid invoice: pending until pushed, then Pay online to the stand-in's hosted page (axe clean); a paid one: no link, no request",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StripeStandIn.start
        const { url, tenants, services } = Context.get(
          yield* Layer.build(
            TestServer.layer({
              ...signingEnv,
              PAYMENTS: "stripe",
              STRIPE_SECRET_KEY: "sk_test_portalpaylink",
              STRIPE_WEBHOOK_SECRETS: "whsec_portalPayLinkSecret000001",
              STRIPE_API_BASE: standIn.url.toString()
            })
          ),
          TestServer
        )
        const tenant = tenants[1]!
        const apiKey = tenant.apiKey!
        const unpaid = tenant.latestInvoiceId
        const account = yield* call(url, "GET", "/account", { token: apiKey })
        assert.strictEqual(account.body.paymentsOnline, true)
        const list = yield* call(url, "GET", "/invoices?status=paid", { token: apiKey })
        const paid: string = list.body.data[0].id
        assert.strictEqual(
          (yield* call(url, "GET", `/invoices/${unpaid}`, { token: apiKey })).body.status,
          "issued"
        )

        const browser = yield* Browser.browser
        const { page, external } = yield* Browser.page(browser, { viewport: { width: 1280, height: 800 } })
        const paymentRequests: Array<string> = []
        page.on("request", (r) => {
          if (new URL(r.url()).pathname.endsWith("/payment")) paymentRequests.push(new URL(r.url()).pathname)
        })
        yield* Effect.promise(async () => {
          await page.goto(`${url}/portal`)
          await page.getByLabel("API key").fill(apiKey)
          await page.getByRole("button", { name: "Sign in" }).click()
          await page.getByRole("heading", { name: "Invoices", level: 1 }).waitFor(wait)
          // Not pushed yet: the demo's history is queued for its push (without e-mail), not delivered.
          await page.goto(`${url}/portal/invoices/${unpaid}`)
          await page.getByText("The online payment link is not available yet.").waitFor(wait)
          assert.strictEqual(await page.getByRole("link", { name: "Pay online" }).count(), 0)
        })

        // The pushes deliver (the demo's three past months of its four tenants, paid ones included:
        // they are linked without a Stripe invoice): this one is at Stripe with its hosted page.
        const pushed = yield* Effect.provide(
          Effect.gen(function* () {
            const collection = yield* PaymentCollection.PaymentCollection
            return yield* collection.deliver
          }),
          services
        ).pipe(Effect.orDie)
        assert.deepStrictEqual(pushed, { pushed: 12, retried: 0, failed: 0 })
        const payment = yield* call(url, "GET", `/invoices/${unpaid}/payment`, { token: apiKey })
        assert.strictEqual(payment.status, 200)
        const hosted: string = payment.body.hostedUrl
        assert.match(hosted, /^https:\/\/invoice\.stripe\.test\/i\/in_/)

        const console: Array<string> = []
        page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`))
        page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`))
        const violations = yield* Effect.promise(async () => {
          await page.goto(`${url}/portal/invoices/${unpaid}`)
          const link = page.getByRole("link", { name: "Pay online" })
          await link.waitFor(wait)
          assert.strictEqual(await link.getAttribute("href"), hosted)
          assert.strictEqual(await link.getAttribute("target"), "_blank")
          assert.strictEqual(await link.getAttribute("rel"), "noopener noreferrer")
          await page.evaluate(axeSource)
          const result: any = await page.evaluate(() =>
            (window as any).axe.run(document, { resultTypes: ["violations"] })
          )
          const serious = result.violations
            .filter((v: any) => v.impact === "serious" || v.impact === "critical")
            .map((v: any) => `${v.id} (${v.impact})`)
          // A paid invoice: no link, and the page does not ask for one.
          const before = paymentRequests.length
          await page.goto(`${url}/portal/invoices/${paid}`)
          await page.getByRole("heading", { name: /Invoice INV-/, level: 1 }).waitFor(wait)
          await page.waitForFunction(() => document.querySelector(".loading") === null, undefined, wait)
          assert.strictEqual(await page.getByRole("link", { name: "Pay online" }).count(), 0)
          assert.strictEqual(await page.getByText("The online payment link is not available yet.").count(), 0)
          assert.strictEqual(paymentRequests.length, before, "no payment request for a paid invoice")
          return serious
        })
        assert.deepStrictEqual(violations, [], violations.join("\n"))
        assert.deepStrictEqual(console, [], "a clean console once the link exists")
        assert.deepStrictEqual(paymentRequests, [
          `/invoices/${unpaid}/payment`,
          `/invoices/${unpaid}/payment`
        ])
        assert.deepStrictEqual(
          external,
          [],
          "every request stays on the server (the link is only followed by people)"
        )
      }).pipe(Effect.scoped),
    long
  )
})
