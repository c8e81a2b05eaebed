/**
 * The customer portal in a real Chromium, against the real server on embedded PGlite with the demo
 * tenants: a customer's walk through every page (a key created and seen once, then revoked and
 * refused; a PDF downloaded and compared with the API's; a ticket filed; sign-out), tampering (another
 * tenant's invoice, forged and expired cookies, a cross-site form post), an axe-core scan of every
 * page, keyboard use, phone width, and screenshots of each page at desktop and phone width
 * (build/screenshots/). Nothing may be fetched from anywhere but the server.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import { createRequire } from "node:module"
import { join, resolve } from "node:path"
import { assert, beforeAll, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import * as Browser from "../support/Browser.ts"
import { expiredSessionToken, signingEnv } from "../support/Sessions.ts"
import { call, operatorKey, TestServer } from "../support/TestServer.ts"

const root = resolve(import.meta.dirname, "../../../..")
const screenshots = join(root, "build/screenshots")
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")
const desktop = { width: 1280, height: 800 }
const phone = { width: 390, height: 844 }
const wait = { timeout: 60_000 }
const long = 300_000

/** The portal's pages a signed-in customer can reach from the navigation, with their headings. */
const pages = [
  { link: "Invoices", path: "/portal/invoices", heading: "Invoices" },
  { link: "Usage", path: "/portal/usage", heading: "Usage" },
  { link: "API keys", path: "/portal/keys", heading: "API keys" },
  { link: "Compliance", path: "/portal/compliance", heading: "Compliance" },
  { link: "Support", path: "/portal/support", heading: "Support" },
  { link: "Audit log", path: "/portal/audit", heading: "Audit log" }
] as const

const signIn = async (page: Page, url: string, apiKey: string) => {
  await page.goto(`${url}/portal`)
  await page.getByLabel("API key").fill(apiKey)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("heading", { name: "Invoices", level: 1 }).waitFor(wait)
}

/** Waits until the page shows neither a loading state nor a spinner. */
const settled = async (page: Page) => {
  await page.waitForFunction(() => document.querySelector(".loading") === null, undefined, wait)
}

const ticketsOf = (url: string, apiKey: string) =>
  call(url, "GET", "/support/tickets", { token: apiKey }).pipe(Effect.map((r) => r.body as Array<any>))

describe.runIf(Browser.unavailable === undefined)("the customer portal in Chromium", () => {
  beforeAll(() => {
    // The server reads the built portal when it starts: build it first if the sources changed.
    execFileSync(process.execPath, [join(root, "scripts/build-portal.ts")], { cwd: root, stdio: "inherit" })
    mkdirSync(screenshots, { recursive: true })
  }, long)

  layer(TestServer.layer(signingEnv), { timeout: 120_000, excludeTestServices: true })((it) => {
    it.effect(
      "an invoice paid in part and credited: the amount due, the payment and the credit note, whose PDF is the API's byte for byte",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[3]!.apiKey
          const latest = tenants[3]!.latestInvoiceId
          const op = yield* operatorKey(["invoices:read", "invoices:write"])
          const invoice = (yield* call(url, "GET", `/invoices/${latest}`, { token: apiKey })).body
          const total = BigInt(invoice.total)
          const paid = yield* call(url, "POST", `/admin/invoices/${latest}/payments`, {
            token: op.key,
            json: {
              amount: (total / 4n).toString(),
              method: "bank_transfer",
              reference: "wire 2026-11-portal",
              paidAt: "2026-11-05T10:00:00Z",
              idempotencyKey: "portal-part-1"
            }
          })
          assert.strictEqual(paid.status, 201, JSON.stringify(paid.body))
          const credited = yield* call(url, "POST", `/admin/invoices/${latest}/credit-notes`, {
            token: op.key,
            json: { reason: "Service credit for the October outage", amount: (total / 10n).toString() }
          })
          assert.strictEqual(credited.status, 201, JSON.stringify(credited.body))
          const note = credited.body.creditNote
          assert.isArray(note.taxLines, "a new note states its tax split")
          const api = (yield* call(url, "GET", `/invoices/${latest}`, { token: apiKey })).body
          assert.strictEqual(BigInt(api.amountDue), total - total / 4n - total / 10n)
          const notePath = `/invoices/${latest}/credit-notes/${note.id}/download`
          const apiPdf = (yield* call(url, "GET", notePath, { token: apiKey })).bytes
          const browser = yield* Browser.browser
          const { page, external } = yield* Browser.page(browser, { viewport: desktop, bypassCSP: true })
          yield* Effect.promise(async () => {
            await signIn(page, url, apiKey)
            await page.goto(`${url}/portal/invoices/${latest}`)
            await page.getByRole("heading", { name: "Payments and credits" }).waitFor(wait)
            const money = (minor: bigint) =>
              new Intl.NumberFormat("en-US", { style: "currency", currency: api.currency }).format(
                `${minor / 100n}.${(minor % 100n).toString().padStart(2, "0")}` as `${number}`
              )
            const section = page.locator("section", { hasText: "Payments and credits" })
            assert.strictEqual(await section.locator(".amount-due").innerText(), money(BigInt(api.amountDue)))
            const payment = section.getByRole("table", { name: "Payments received" }).locator("tbody tr")
            assert.strictEqual(await payment.count(), 1)
            const paymentText = await payment.innerText()
            for (const part of ["Bank transfer", "wire 2026-11-portal", money(total / 4n)])
              assert.include(paymentText, part)
            const noteRow = section.getByRole("table", { name: "Credit notes" }).locator("tbody tr")
            assert.strictEqual(await noteRow.count(), 1)
            const noteText = await noteRow.innerText()
            for (const part of [note.number, "Service credit for the October outage", money(total / 10n)])
              assert.include(noteText, part)
            // The tax the note reverses, in its own column, as the API states it.
            const noteTable = section.getByRole("table", { name: "Credit notes" })
            assert.strictEqual(await noteTable.getByRole("columnheader", { name: "Tax" }).count(), 1)
            assert.strictEqual(await noteRow.locator("td").nth(4).innerText(), money(BigInt(note.tax)))
            const [download] = await Promise.all([
              page.waitForEvent("download", wait),
              page.getByRole("link", { name: `Download credit note ${note.number} (PDF)` }).click()
            ])
            assert.strictEqual(download.suggestedFilename(), `${note.number}.pdf`)
            const bytes = readFileSync((await download.path())!)
            assert.isTrue(
              Buffer.from(apiPdf).equals(bytes),
              "the portal's credit note is the API's, byte for byte"
            )
            // The new section passes the same accessibility scan as every page.
            await page.evaluate(axeSource)
            const result: any = await page.evaluate(() =>
              (window as any).axe.run(document, { resultTypes: ["violations"] })
            )
            const serious = result.violations.filter(
              (v: any) => v.impact === "serious" || v.impact === "critical"
            )
            assert.deepStrictEqual(
              serious.map((v: any) => v.id),
              []
            )
          })
          assert.deepStrictEqual(external, [], "every request stays on the server")
        }).pipe(Effect.scoped),
      long
    )
    it.effect(
      "walk: sign in, every page by its link, sign out; no request leaves the server",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const browser = yield* Browser.browser
          const { page, external } = yield* Browser.page(browser, { viewport: desktop })
          // A clean walk logs nothing: no failed request, no error, and no development build's chatter.
          const console: Array<string> = []
          page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`))
          page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`))
          yield* Effect.promise(async () => {
            await page.goto(`${url}/`)
            // `/` leads to the portal, which asks for a key: the field and button say what they are.
            await page.getByRole("button", { name: "Sign in" }).waitFor(wait)
            assert.match(page.url(), /\/portal\/sign-in$/)
            await signIn(page, url, tenants[1]!.apiKey)
            // The key is not kept anywhere the page can read.
            const stored = await page.evaluate(
              () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie
            )
            assert.notInclude(stored, tenants[1]!.apiKey)
            const cookies = await page.context().cookies()
            const session = cookies.find((c) => c.name === "sb_session")!
            assert.deepInclude(session, { httpOnly: true, secure: true, sameSite: "Strict", path: "/" })
            assert.notInclude(await page.evaluate(() => document.cookie), "sb_session")
            await page.getByText(tenants[1]!.customer.name).waitFor(wait)
            for (const p of pages) {
              await page.getByRole("link", { name: p.link, exact: true }).click()
              await page.getByRole("heading", { name: p.heading, level: 1 }).waitFor(wait)
              await settled(page)
              assert.strictEqual(new URL(page.url()).pathname, p.path)
              assert.strictEqual(
                await page.getByRole("link", { name: p.link, exact: true }).getAttribute("aria-current"),
                "page"
              )
              assert.strictEqual(await page.getByRole("alert").count(), 0, `${p.link} shows no error`)
            }
            // A client route survives a reload (the server answers index.html).
            await page.reload()
            await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor(wait)
            await page.getByRole("button", { name: "Sign out" }).click()
            await page.getByText("You have signed out.").waitFor(wait)
            assert.match(page.url(), /\/portal\/sign-in$/)
            const after = await page.context().cookies()
            assert.isUndefined(after.find((c) => c.name === "sb_session" && c.value !== ""))
            await page.goto(`${url}/portal/invoices`)
            await page.getByLabel("API key").waitFor(wait)
          })
          assert.deepStrictEqual(external, [], "every request stays on the server")
          assert.deepStrictEqual(console, [])
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "invoices: filters and pages; the detail shows lines, discount, tax and state; the PDF downloads byte for byte; the e-mail is resent up to the hour's limit",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[2]!.apiKey
          const latest = tenants[2]!.latestInvoiceId
          const api = (yield* call(url, "GET", `/invoices/${latest}`, { token: apiKey })).body
          const apiPdf = (yield* call(url, "GET", `/invoices/${latest}/download`, { token: apiKey })).bytes
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await signIn(page, url, apiKey)
            await settled(page)
            const rows = page.locator("tbody tr")
            assert.strictEqual(await rows.count(), 3)
            await page.getByLabel("Status", { exact: true }).selectOption("paid")
            await settled(page)
            assert.strictEqual(await rows.count(), 2)
            for (const badge of await page.locator("tbody .badge").allInnerTexts())
              assert.strictEqual(badge, "paid")
            await page.getByLabel("Month (UTC)").fill("1999-01")
            await page.getByText("No invoices match these filters.").waitFor(wait)
            await page.getByRole("button", { name: "Clear filters" }).click()
            await settled(page)
            assert.strictEqual(await rows.count(), 3)
            await page.getByRole("link", { name: api.number }).click()
            await page.getByRole("heading", { name: `Invoice ${api.number}` }).waitFor(wait)
            const text = await page.locator("main").innerText()
            const money = (minor: string) =>
              new Intl.NumberFormat("en-US", { style: "currency", currency: api.currency }).format(
                `${minor.slice(0, -2) || "0"}.${minor.slice(-2).padStart(2, "0")}` as `${number}`
              )
            for (const line of api.lines) assert.include(text, line.description)
            for (const amount of [api.subtotal, api.discount, api.taxable, api.tax, api.total])
              assert.include(text, money(amount))
            assert.include(text, api.status)
            assert.include(text, "Sales tax (8%")
            // Each discount on its own row; each priced line explains itself, exactly, band by band.
            for (const d of api.discounts) assert.include(text, d.description)
            const explained = api.lines.filter((l: any) => l.breakdown.length > 0)
            assert.isAbove(explained.length, 0)
            for (const line of explained) {
              const details = page.locator("details.breakdown", {
                hasText: `How ${line.description} was priced`
              })
              await details.locator("summary").click()
              const rows = details.locator("tbody tr")
              assert.strictEqual(await rows.count(), line.breakdown.length)
              const exact = (amount: string) =>
                new Intl.NumberFormat("en-US", {
                  style: "currency",
                  currency: api.currency,
                  minimumFractionDigits: 2,
                  maximumFractionDigits: 100
                }).format(amount as `${number}`)
              for (const [i, row] of line.breakdown.entries())
                assert.include(await rows.nth(i).innerText(), exact(row.amount))
              assert.include(
                await details.innerText(),
                `Exact amount ${exact(line.preciseAmount)}, rounded once to ${money(line.amount)}.`
              )
            }
            const [download] = await Promise.all([
              page.waitForEvent("download", wait),
              page.getByRole("link", { name: "Download PDF" }).click()
            ])
            const bytes = readFileSync((await download.path())!)
            assert.strictEqual(download.suggestedFilename(), `${api.number}.pdf`)
            assert.strictEqual(bytes.subarray(0, 5).toString(), "%PDF-")
            assert.isTrue(Buffer.from(apiPdf).equals(bytes), "the portal's PDF is the API's, byte for byte")
            // The e-mail sent again: three times this hour, then the limit, said in words.
            const resend = page.getByRole("button", { name: "Resend e-mail" })
            const status = page.locator(".resend [role=status]")
            const email = tenants[2]!.customer.email
            for (const left of [
              "2 more resends this hour.",
              "1 more resend this hour.",
              "That was the last resend"
            ]) {
              await resend.click()
              await status.getByText(left).waitFor(wait)
              assert.include(await status.innerText(), `on its way to ${email}`)
            }
            await resend.click()
            await status.getByText("already sent again three times this hour").waitFor(wait)
          })
          const trail = (yield* call(url, "GET", "/audit/events?limit=100", { token: apiKey })).body.data
          assert.strictEqual(
            trail.filter((e: any) => e.action === "invoice.resent" && e.subjectId === latest).length,
            3
          )
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "API keys: a new key with chosen scopes and expiry is shown once, copied, works, is revoked after confirmation and then refused; rotation",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, {
            viewport: desktop,
            permissions: ["clipboard-read", "clipboard-write"]
          })
          const secret = yield* Effect.promise(async () => {
            await signIn(page, url, tenants[0]!.apiKey)
            await page.getByRole("link", { name: "API keys", exact: true }).click()
            await page.getByRole("heading", { name: "API keys", level: 1 }).waitFor(wait)
            await settled(page)
            await page.getByLabel("Name").fill("Browser walk key")
            await page.getByRole("checkbox", { name: "support:read" }).check()
            await page.getByLabel("Expires after").selectOption({ label: "30 days" })
            await page.getByRole("button", { name: "Create key" }).click()
            const field = page.getByLabel("New API key")
            await field.waitFor(wait)
            const value = await field.inputValue()
            assert.match(value, /^sb_live_[a-z2-7]{16}_[a-z2-7]{52}$/)
            await page.getByRole("button", { name: "Copy" }).click()
            await page.getByText("Copied to the clipboard.").waitFor(wait)
            assert.strictEqual(await page.evaluate(() => navigator.clipboard.readText()), value)
            const row = page.getByRole("row", { name: /Browser walk key/ })
            await row.waitFor(wait)
            assert.include(await row.innerText(), "invoices:read, support:read")
            await page.getByRole("button", { name: "I have stored it" }).click()
            await field.waitFor({ state: "detached", timeout: 60_000 })
            // Shown once: after a reload the secret is nowhere in the page.
            await page.reload()
            await page.getByRole("row", { name: /Browser walk key/ }).waitFor(wait)
            assert.notInclude(await page.content(), value.split("_")[3]!)
            return value
          })
          const works = yield* call(url, "GET", "/support/tickets", { token: secret })
          assert.strictEqual(works.status, 200)
          const notGranted = yield* call(url, "GET", "/metrics", { token: secret })
          assert.strictEqual(notGranted.status, 403)
          const listed = (yield* call(url, "GET", "/api-keys", { token: tenants[0]!.apiKey })).body.find(
            (k: any) => k.name === "Browser walk key"
          )
          const days = (Date.parse(listed.expiresAt) - Date.parse(listed.createdAt)) / 86_400_000
          assert.strictEqual(Math.round(days), 30)
          yield* Effect.promise(async () => {
            await page.getByRole("button", { name: "Revoke Browser walk key" }).click()
            const dialog = page.getByRole("dialog", { name: "Revoke “Browser walk key”?" })
            await dialog.waitFor(wait)
            // Cancel first: nothing happens.
            await dialog.getByRole("button", { name: "Cancel" }).click()
            await dialog.waitFor({ state: "detached", timeout: 60_000 })
            await page.getByRole("button", { name: "Revoke Browser walk key" }).click()
            await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click()
            await page.getByText("Key “Browser walk key” is revoked").waitFor(wait)
            await page
              .getByRole("row", { name: /Browser walk key/ })
              .getByText("revoked")
              .waitFor(wait)
          })
          const refused = yield* call(url, "GET", "/support/tickets", { token: secret })
          assert.strictEqual(refused.status, 401)
          assert.strictEqual(refused.body.code, "AUTH.KEY_REVOKED")

          // Rotation: the new key first, the old one revoked only after confirmation.
          const created = yield* call(url, "POST", "/api-keys/create", {
            token: tenants[0]!.apiKey,
            json: { name: "Deploy key", scopes: ["invoices:read"], expiresInDays: 90 }
          })
          const old = created.body.secret as string
          const rotated = yield* Effect.promise(async () => {
            await page.reload()
            await page.getByRole("button", { name: "Rotate Deploy key" }).click()
            await page.getByRole("dialog").getByRole("button", { name: "Create the new key" }).click()
            const field = page.getByLabel("New API key")
            await field.waitFor(wait)
            const value = await field.inputValue()
            await page.getByRole("button", { name: "Revoke the old key “Deploy key”" }).click()
            await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click()
            await page.getByText("Key “Deploy key” is revoked").waitFor(wait)
            return value
          })
          assert.notStrictEqual(rotated, old)
          assert.strictEqual((yield* call(url, "GET", "/invoices", { token: old })).status, 401)
          assert.strictEqual((yield* call(url, "GET", "/invoices", { token: rotated })).status, 200)
          const keys = (yield* call(url, "GET", "/api-keys", { token: tenants[0]!.apiKey })).body
          const replacement = keys.find((k: any) => k.name === "Deploy key (rotated)")
          assert.deepStrictEqual(replacement.scopes, ["invoices:read"])
          assert.strictEqual(
            Math.round((Date.parse(replacement.expiresAt) - Date.parse(replacement.createdAt)) / 86_400_000),
            90
          )
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "revoking the key of one's own session ends it: back to sign-in with a message",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const created = yield* call(url, "POST", "/api-keys/create", {
            token: tenants[0]!.apiKey,
            json: {
              name: "Short-lived portal key",
              scopes: ["api_keys:read", "api_keys:write", "invoices:read"]
            }
          })
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await signIn(page, url, created.body.secret)
            await page.getByRole("link", { name: "API keys", exact: true }).click()
            const row = page.getByRole("row", { name: /Short-lived portal key \(this session\)/ })
            await row.waitFor(wait)
            await page.getByRole("button", { name: "Revoke Short-lived portal key" }).click()
            await page.getByText("You are signed in with this key: revoking it signs you out.").waitFor(wait)
            await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click()
            // The list reload after the revocation is refused: the session went with its key.
            await page.getByText("Your session has ended (it expired or was revoked).").waitFor(wait)
            await page.getByLabel("API key").waitFor(wait)
          })
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "usage: this month against the allowances with a chart per metric, an explained forecast, and history only since the customer existed",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const metrics = (yield* call(url, "GET", "/metrics", { token: tenants[1]!.apiKey })).body
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await signIn(page, url, tenants[1]!.apiKey)
            await page.getByRole("link", { name: "Usage", exact: true }).click()
            await page.getByRole("heading", { name: /This month so far/ }).waitFor(wait)
            for (const m of metrics.metrics)
              await page.getByRole("heading", { name: m.name, level: 3 }).waitFor(wait)
            // One chart per metric and one for the 12 months, each a drawn canvas with a description.
            const charts = page.locator("figure.chart [role=img]")
            assert.strictEqual(await charts.count(), metrics.metrics.length + 1)
            assert.strictEqual(await page.locator("figure.chart canvas").count(), metrics.metrics.length + 1)
            await page.getByText("How the month-end forecast is made").click()
            await page.getByText(/projected in a straight line/).waitFor(wait)
            assert.isAbove(await page.getByText(/Month-end forecast:/).count(), 0)
            const text = await page.locator("main").innerText()
            const total = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(
              `${metrics.estimate.total.slice(0, -2)}.${metrics.estimate.total.slice(-2)}` as `${number}`
            )
            assert.include(text, total)
            // The demo customer was created three months ago: three past months, not twelve.
            const history = page.getByRole("table", { name: /billed amount per month/ })
            assert.strictEqual(await history.locator("tbody tr").count(), 3)
            assert.notInclude(await history.innerText(), "not billed")
            await page.getByLabel("Metric").selectOption({ label: "Managed cloud accounts" })
            await history.getByRole("columnheader", { name: "Managed cloud accounts" }).waitFor(wait)
          })
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "compliance findings filter by framework, status and severity; support: file a ticket, read it, reply, see it listed",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[2]!.apiKey
          const before = (yield* ticketsOf(url, apiKey)).length
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await signIn(page, url, apiKey)
            await page.getByRole("link", { name: "Compliance", exact: true }).click()
            await page.getByRole("heading", { name: "Findings" }).waitFor(wait)
            await settled(page)
            const findings = page.getByRole("table", { name: "Findings" }).locator("tbody tr")
            const all = await findings.count()
            assert.isAbove(all, 2)
            await page.getByLabel("Status", { exact: true }).selectOption("resolved")
            await settled(page)
            const resolved = await findings.count()
            assert.isBelow(resolved, all)
            for (const row of await findings.allInnerTexts()) assert.include(row, "resolved")
            await page.getByLabel("Severity", { exact: true }).selectOption("critical")
            await page.getByText("No findings match these filters.").waitFor(wait)
            await page.getByLabel("Severity", { exact: true }).selectOption("")
            await page.getByLabel("Status", { exact: true }).selectOption("")
            await page.getByLabel("Framework", { exact: true }).selectOption("HIPAA")
            await settled(page)
            for (const row of await findings.allInnerTexts()) assert.include(row, "HIPAA")

            await page.getByRole("link", { name: "Support", exact: true }).click()
            await page.getByRole("heading", { name: "Open a ticket" }).waitFor(wait)
            await page.getByRole("button", { name: "Create ticket" }).click()
            await page.getByText("Write a subject of at least 3 characters.").waitFor(wait)
            await page.getByLabel("Subject").fill("Invoice PDF for our auditors")
            await page.getByLabel("Description").fill("Please confirm the PDF matches the ledger export.")
            await page.getByLabel("Priority").selectOption("high")
            await page.getByRole("button", { name: "Create ticket" }).click()
            await page.getByRole("heading", { name: "Invoice PDF for our auditors", level: 1 }).waitFor(wait)
            await page.getByText("Ticket created. We will answer by").waitFor(wait)
            await page.getByText("Please confirm the PDF matches the ledger export.").waitFor(wait)
            // Read and reply: the conversation starts empty, a blank reply is refused, a real one listed.
            await page.getByText("No replies yet.").waitFor(wait)
            await page.getByRole("button", { name: "Send reply" }).click()
            await page.getByText("Write your reply first.").waitFor(wait)
            await page.getByLabel("Your reply").fill("Our auditors meet on Friday.\nThank you!")
            await page.getByRole("button", { name: "Send reply" }).click()
            await page.getByText("Reply sent.").waitFor(wait)
            const listed = page.locator(".replies li")
            await listed.first().waitFor(wait)
            assert.strictEqual(await listed.count(), 1)
            assert.include(await listed.first().innerText(), "You")
            assert.include(await listed.first().innerText(), "Our auditors meet on Friday.\nThank you!")
            assert.strictEqual(await page.getByLabel("Your reply").inputValue(), "")
            await page.getByRole("link", { name: "← All tickets" }).click()
            await page.getByRole("link", { name: "Invoice PDF for our auditors" }).waitFor(wait)
          })
          const after = yield* ticketsOf(url, apiKey)
          assert.strictEqual(after.length, before + 1)
          assert.deepInclude(after[0], {
            subject: "Invoice PDF for our auditors",
            priority: "high",
            status: "open"
          })
          const replies = (yield* call(url, "GET", `/support/tickets/${after[0].id}/replies`, {
            token: apiKey
          })).body
          assert.deepStrictEqual(
            replies.map((r: any) => [r.authorKind, r.body]),
            [["customer", "Our auditors meet on Friday.\nThank you!"]]
          )
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "audit log: the customer's own events newest first, a page at a time, with the chain's verification",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[3]!.apiKey
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          const shown = yield* Effect.promise(async () => {
            await signIn(page, url, apiKey)
            await page.getByRole("link", { name: "Audit log", exact: true }).click()
            await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor(wait)
            await settled(page)
            await page.getByRole("heading", { name: "Chain verification: intact" }).waitFor(wait)
            await page.getByText(/All \d+ events verify/).waitFor(wait)
            const rows = page.getByRole("table", { name: /Audit events/ }).locator("tbody tr")
            const cells = async () =>
              (await rows.evaluateAll((trs) =>
                trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText))
              )) as Array<Array<string>>
            const first = await cells()
            let older: Array<Array<string>> = []
            if (await page.getByRole("button", { name: "Older events" }).isEnabled()) {
              await page.getByRole("button", { name: "Older events" }).click()
              await page.getByText("Page 2").waitFor(wait)
              await settled(page)
              older = await cells()
            }
            return { first, older, text: await page.locator("main").innerText() }
          })
          // Every authenticated request appends an event, so the trail grows while we read it: the API,
          // read afterwards, has everything the page showed and more.
          const api = (yield* call(url, "GET", "/audit/events?limit=100", { token: apiKey })).body.data
          const status = (yield* call(url, "GET", "/audit/checkpoint", { token: apiKey })).body
          assert.strictEqual(status.verification.status, "intact")
          const bySeq = new Map<number, any>(api.map((e: any) => [e.seq, e]))
          const seqs = [...shown.first, ...shown.older].map((row) => Number(row[0]))
          assert.isAbove(seqs.length, 3)
          // Newest first, consecutive, across the page boundary too.
          assert.deepStrictEqual(
            seqs,
            seqs.map((_, i) => seqs[0]! - i)
          )
          assert.strictEqual(shown.first.length, Math.min(25, seqs[0]!))
          for (const [seq, , action, , actor] of [...shown.first, ...shown.older]) {
            const event = bySeq.get(Number(seq))
            assert.deepInclude({ action, actor }, { action: event.action, actor: event.actor })
          }
          // The demo's invoices are among them, and no other tenant's.
          assert.include(shown.text, tenants[3]!.latestInvoiceId)
          for (const other of [tenants[0]!, tenants[1]!, tenants[2]!])
            assert.notInclude(shown.text, other.latestInvoiceId)
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "tampering: another tenant's invoice shows Not found; forged and expired cookies return to sign-in with a message",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const expired = yield* expiredSessionToken(tenants[1]!.customer)
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await signIn(page, url, tenants[1]!.apiKey)
            await page.goto(`${url}/portal/invoices/${tenants[3]!.latestInvoiceId}`)
            await page.getByRole("alert").getByText("Not found.").waitFor(wait)
            assert.notInclude(await page.locator("main").innerText(), tenants[3]!.customer.name)
            // A forged session cookie: the next request is refused, the portal goes back to sign-in.
            const origin = new URL(url)
            const cookie = (value: string) => ({
              name: "sb_session",
              value,
              domain: origin.hostname,
              path: "/",
              httpOnly: true,
              secure: true,
              sameSite: "Strict" as const
            })
            await page.context().addCookies([cookie("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged")])
            await page.goto(`${url}/portal/usage`)
            await page.getByText("Your session has ended (it expired or was revoked).").waitFor(wait)
            await page.getByLabel("API key").waitFor(wait)
            // An expired one, after signing in again.
            await signIn(page, url, tenants[1]!.apiKey)
            await page.context().addCookies([cookie(expired)])
            await page.getByRole("link", { name: "Compliance", exact: true }).click()
            await page.getByText("Your session has ended (it expired or was revoked).").waitFor(wait)
            // Signing in again returns to the page the session ended on.
            await page.getByLabel("API key").fill(tenants[1]!.apiKey)
            await page.getByRole("button", { name: "Sign in" }).click()
            await page.getByRole("heading", { name: "Compliance", level: 1 }).waitFor(wait)
          })
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "a form posted from another origin is refused (403) and changes nothing, though the cookie went with it",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[2]!.apiKey
          const before = (yield* ticketsOf(url, apiKey)).length
          // Another origin on the same machine (same site, other port): SameSite=Strict alone would not stop it.
          const evil = createServer((_req, res) => {
            res.writeHead(200, { "content-type": "text/html" })
            res.end(`<!doctype html><title>Win a prize</title>
<form id="f" method="POST" action="${url}/support/tickets/create" enctype="text/plain">
<input name='{"subject":"Forged ticket","description":"x","priority":"low","pad":"' value='"}'>
</form><script>document.getElementById("f").submit()</script>`)
          })
          const evilUrl = yield* Effect.acquireRelease(
            Effect.promise(
              () =>
                new Promise<string>((resolve) =>
                  evil.listen(0, "127.0.0.1", () =>
                    resolve(`http://127.0.0.1:${(evil.address() as any).port}`)
                  )
                )
            ),
            () => Effect.promise(() => new Promise<void>((resolve) => evil.close(() => resolve())))
          )
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          const answer = yield* Effect.promise(async () => {
            await signIn(page, url, apiKey)
            const [response] = await Promise.all([
              page.waitForResponse((r) => r.url() === `${url}/support/tickets/create`, wait),
              page.goto(`${evilUrl}/`)
            ])
            const sent = await response.request().allHeaders()
            assert.include(sent.cookie ?? "", "sb_session=", "the browser did send the session cookie")
            return { status: response.status(), body: await response.text() }
          })
          assert.strictEqual(answer.status, 403)
          assert.strictEqual(JSON.parse(answer.body).code, "AUTH.CSRF_REJECTED")
          assert.strictEqual((yield* ticketsOf(url, apiKey)).length, before)
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "keyboard: sign in with Enter, skip link, navigation by Tab and Enter",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const browser = yield* Browser.browser
          const { page } = yield* Browser.page(browser, { viewport: desktop })
          yield* Effect.promise(async () => {
            await page.goto(`${url}/portal`)
            await page.getByLabel("API key").waitFor(wait)
            // The field has the focus on arrival.
            await page.keyboard.type(tenants[1]!.apiKey)
            await page.keyboard.press("Enter")
            await page.getByRole("heading", { name: "Invoices", level: 1 }).waitFor(wait)
            await settled(page)
            // Backwards from the page's heading: the navigation, the sign-out button, then the skip link first of all.
            const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "")
            const stops: Array<string> = []
            for (let i = 0; i < 12 && stops.at(-1) !== "Skip to content"; i++) {
              await page.keyboard.press("Shift+Tab")
              stops.push(await focused())
            }
            assert.deepStrictEqual(stops, [
              "Audit log",
              "Support",
              "Compliance",
              "API keys",
              "Usage",
              "Invoices",
              "Sign out",
              "Skip to content"
            ])
            let reached = false
            for (let i = 0; i < 10 && !reached; i++) {
              await page.keyboard.press("Tab")
              reached = (await focused()) === "Compliance"
            }
            assert.isTrue(reached, "the navigation is reachable by Tab")
            await page.keyboard.press("Enter")
            await page.getByRole("heading", { name: "Compliance", level: 1 }).waitFor(wait)
          })
        }).pipe(Effect.scoped),
      long
    )

    it.effect(
      "axe-core finds no serious or critical violation on any page, at desktop and phone width; phones never scroll sideways; screenshots",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const apiKey = tenants[1]!.apiKey
          const latest = tenants[1]!.latestInvoiceId
          const ticket = (yield* ticketsOf(url, apiKey))[0].id
          const browser = yield* Browser.browser
          const violations: Array<string> = []
          for (const [width, viewport] of [
            ["desktop", desktop],
            ["phone", phone]
          ] as const) {
            const { page, external } = yield* Browser.page(browser, { viewport, bypassCSP: true })
            yield* Effect.promise(async () => {
              const scan = async (name: string) => {
                await settled(page)
                await page.evaluate(axeSource)
                const result: any = await page.evaluate(() =>
                  (window as any).axe.run(document, { resultTypes: ["violations"] })
                )
                for (const v of result.violations)
                  if (v.impact === "serious" || v.impact === "critical")
                    violations.push(
                      `${width} ${name}: ${v.id} (${v.impact}) ${v.nodes.map((n: any) => n.target.join(" ")).join("; ")}`
                    )
                const overflow = await page.evaluate(
                  () => document.documentElement.scrollWidth - document.documentElement.clientWidth
                )
                assert.isAtMost(overflow, 0, `${width} ${name} scrolls sideways by ${overflow}px`)
                await page.screenshot({ path: join(screenshots, `${name}-${width}.png`), fullPage: true })
              }
              await page.goto(`${url}/portal`)
              await page.getByLabel("API key").waitFor(wait)
              await scan("sign-in")
              await page.getByLabel("API key").fill(apiKey)
              await page.getByRole("button", { name: "Sign in" }).click()
              await page.getByRole("heading", { name: "Invoices", level: 1 }).waitFor(wait)
              for (const [name, path, heading] of [
                ["invoices", "/portal/invoices", "Invoices"],
                ["invoice", `/portal/invoices/${latest}`, /Invoice INV-/],
                ["usage", "/portal/usage", "Usage"],
                ["api-keys", "/portal/keys", "API keys"],
                ["compliance", "/portal/compliance", "Compliance"],
                ["support", "/portal/support", "Support"],
                ["ticket", `/portal/support/${ticket}`, /./],
                ["audit", "/portal/audit", "Audit log"]
              ] as const) {
                await page.goto(`${url}${path}`)
                await page.getByRole("heading", { name: heading, level: 1 }).first().waitFor(wait)
                await scan(name)
              }
              // The confirmation dialog, too.
              await page.goto(`${url}/portal/keys`)
              await settled(page)
              await page
                .getByRole("button", { name: /^Revoke / })
                .first()
                .click()
              await page.getByRole("dialog").waitFor(wait)
              await scan("revoke-dialog")
              await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click()
            })
            assert.deepStrictEqual(external, [], "every request stays on the server")
          }
          assert.deepStrictEqual(violations, [], violations.join("\n"))
        }).pipe(Effect.scoped),
      long
    )
  })
})
