/**
 * `/admin/invoices` over loopback, on the real app (embedded PGlite, the demo tenants' invoices):
 * an operator records a partial payment and the rest (idempotent by key), issues a credit note on
 * the paid invoice (a refund, with its PDF), voids another invoice and resends one. The tenant
 * sees payments, credit notes and the amount due on its own GET /invoices/{id}, and every step in
 * its audit chain as the operator. Every failure path is a 4xx with a stable code, never a 5xx.
 */
import { assert, layer } from "@effect/vitest"
import { MailAttachments, Tenancy } from "@securebase/core"
import { DateTime, Effect } from "effect"
import { SqlClient } from "effect/sql"
import { pdfText } from "../support/PdfText.ts"
import { call, operatorKey, TestServer } from "../support/TestServer.ts"

/** The credit-note e-mails queued for an invoice, as the outbox table holds them (read as the owner). */
const creditNoteMails = (invoiceId: string) =>
  TestServer.use(({ services }) =>
    Effect.provide(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ id: string; recipient: string; subject: string; text: string; data: any }>`
          SELECT id::text, recipient, payload->>'subject' AS subject, payload->>'text' AS text,
                 payload->'data' AS data
          FROM notifications
          WHERE template = 'credit_note_issued' AND payload->'data'->>'invoiceId' = ${invoiceId}`
      }),
      services
    )
  ).pipe(Effect.orDie)

/** What the outbox sender attaches to `mail` on delivery (in its worker transaction). */
const attachmentsOf = (mail: { readonly data: Record<string, string> }) =>
  TestServer.use(({ services }) =>
    Effect.provide(
      Effect.gen(function* () {
        const make = yield* MailAttachments.MailAttachments
        return yield* Tenancy.Tenancy.use((t) =>
          t.runAsWorker(make({ template: "credit_note_issued", data: mail.data } as any))
        )
      }),
      services
    )
  ).pipe(Effect.orDie)

const tenantKey = (i: number) => TestServer.use((s) => Effect.succeed(s.tenants[i]!.apiKey))

/** The tenant's open (issued or overdue) invoices, oldest first. */
const openInvoices = (i: number) =>
  Effect.gen(function* () {
    const { url } = yield* TestServer
    const list = yield* call(url, "GET", "/invoices?limit=100", { token: yield* tenantKey(i) })
    assert.strictEqual(list.status, 200)
    return (list.body.data as Array<any>)
      .filter((inv) => inv.status === "issued" || inv.status === "overdue")
      .reverse()
  })

const paidAt = "2026-11-05T10:00:00Z"
const pay = (amount: string, key: string, extra: Record<string, unknown> = {}) => ({
  amount,
  method: "bank_transfer",
  reference: `wire ${key}`,
  paidAt,
  idempotencyKey: key,
  ...extra
})

const sellerName = "Northwind Assurance GmbH"

layer(TestServer.layer({ SELLER_NAME: sellerName }), { timeout: 180_000, excludeTestServices: true })(
  "/admin/invoices",
  (it) => {
    it.effect(
      "pay part, then the rest; a credit note on the paid invoice is a refund with its PDF; all audited",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const op = yield* operatorKey(["invoices:read", "invoices:write"])
          const invoice = (yield* openInvoices(1))[0]
          const total = BigInt(invoice.total)
          const path = `/admin/invoices/${invoice.id}`

          const before = yield* call(url, "GET", path, { token: op.key })
          assert.strictEqual(before.status, 200)
          assert.deepStrictEqual([before.body.amountDue, before.body.payments], [invoice.total, []])

          const part = (total / 3n).toString()
          const first = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay(part, "rcv-1")
          })
          assert.strictEqual(first.status, 201, JSON.stringify(first.body))
          assert.isFalse(first.body.replayed)
          assert.strictEqual(first.body.invoice.amountDue, (total - BigInt(part)).toString())
          assert.strictEqual(first.body.invoice.status, invoice.status)

          // The same key and body: the same payment, nothing new.
          const replay = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay(part, "rcv-1")
          })
          assert.strictEqual(replay.status, 201)
          assert.isTrue(replay.body.replayed)
          assert.strictEqual(replay.body.payment.id, first.body.payment.id)
          // The same key, another body.
          const reused = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay("1", "rcv-1")
          })
          assert.deepStrictEqual([reused.status, reused.body.code], [409, "PAYMENT.IDEMPOTENCY_KEY_REUSED"])
          // More than is due.
          const rest = (total - BigInt(part)).toString()
          const over = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay((total - BigInt(part) + 1n).toString(), "rcv-over")
          })
          assert.deepStrictEqual([over.status, over.body.code], [422, "PAYMENT.OVERPAYMENT"])

          const second = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay(rest, "rcv-2")
          })
          assert.strictEqual(second.status, 201)
          assert.deepStrictEqual([second.body.invoice.status, second.body.invoice.amountDue], ["paid", "0"])
          assert.strictEqual(second.body.invoice.paidAt, "2026-11-05T10:00:00.000Z")

          const onPaid = yield* call(url, "POST", `${path}/payments`, {
            token: op.key,
            json: pay("1", "rcv-3")
          })
          assert.deepStrictEqual([onPaid.status, onPaid.body.code], [409, "INVOICE.NOT_OPEN"])
          const voidPaid = yield* call(url, "POST", `${path}/void`, {
            token: op.key,
            json: { reason: "too late" }
          })
          assert.deepStrictEqual([voidPaid.status, voidPaid.body.code], [409, "INVOICE.ILLEGAL_TRANSITION"])

          // A credit note on the paid invoice: all of it is a refund.
          const note = yield* call(url, "POST", `${path}/credit-notes`, {
            token: op.key,
            json: {
              reason: "SLA credit",
              lines: [{ description: "Platform fee, 3 days", invoiceLine: 1, amount: "1000" }]
            }
          })
          assert.strictEqual(note.status, 201, JSON.stringify(note.body))
          assert.match(note.body.creditNote.number, /^CN-\d{4}-\d{6}$/)
          assert.deepStrictEqual(
            [note.body.creditNote.amount, note.body.creditNote.credited, note.body.creditNote.refunded],
            ["1000", "0", "1000"]
          )
          const beyond = yield* call(url, "POST", `${path}/credit-notes`, {
            token: op.key,
            json: { reason: "too much", amount: (total - 999n).toString() }
          })
          assert.deepStrictEqual([beyond.status, beyond.body.code], [422, "CREDIT_NOTE.EXCEEDS_INVOICED"])
          const pdf = yield* call(url, "GET", `${path}/credit-notes/${note.body.creditNote.id}/download`, {
            token: op.key
          })
          assert.strictEqual(pdf.status, 200)
          assert.strictEqual(pdf.headers.get("content-type"), "application/pdf")
          assert.include(pdf.headers.get("content-disposition")!, `${note.body.creditNote.number}.pdf`)
          assert.strictEqual(new TextDecoder().decode(pdf.bytes.slice(0, 5)), "%PDF-")
          // The configured seller issues it (it once printed the demo seller whatever the configuration).
          const text = yield* pdfText(pdf.bytes)
          assert.include(text, sellerName)
          assert.include(text, `CREDIT NOTE ${note.body.creditNote.number}`)
          assert.notInclude(text, "Demo Seller")

          // The tenant sees it all on its own invoice, and in its audit chain as the operator.
          const tenant = yield* tenantKey(1)
          const own = yield* call(url, "GET", `/invoices/${invoice.id}`, { token: tenant })
          assert.strictEqual(own.status, 200)
          assert.deepStrictEqual(
            own.body.payments.map((p: any) => [p.amount, p.idempotencyKey]),
            [
              [part, "rcv-1"],
              [rest, "rcv-2"]
            ]
          )
          assert.deepStrictEqual(
            own.body.creditNotes.map((c: any) => c.number),
            [note.body.creditNote.number]
          )
          assert.strictEqual(own.body.amountDue, "0")

          // The tenant downloads the same document from its own invoice.
          const notePath = `/invoices/${invoice.id}/credit-notes/${note.body.creditNote.id}/download`
          const ownPdf = yield* call(url, "GET", notePath, { token: tenant })
          assert.strictEqual(ownPdf.status, 200)
          assert.strictEqual(ownPdf.headers.get("content-type"), "application/pdf")
          assert.strictEqual(
            ownPdf.headers.get("content-disposition"),
            `attachment; filename="${note.body.creditNote.number}.pdf"`
          )
          assert.deepStrictEqual(ownPdf.bytes, pdf.bytes)
          // Another tenant cannot: row-level security hides the invoice, as if unknown.
          const other = yield* call(url, "GET", notePath, { token: yield* tenantKey(2) })
          assert.deepStrictEqual([other.status, other.body.code], [404, "INVOICE.NOT_FOUND"])
          // Nor is the note another invoice's of the same tenant; an unknown note is the same 404.
          const sibling = (yield* call(url, "GET", "/invoices?limit=100", { token: tenant })).body.data.find(
            (i: any) => i.id !== invoice.id
          )
          const elsewhere = yield* call(
            url,
            "GET",
            `/invoices/${sibling.id}/credit-notes/${note.body.creditNote.id}/download`,
            { token: tenant }
          )
          assert.deepStrictEqual([elsewhere.status, elsewhere.body.code], [404, "CREDIT_NOTE.NOT_FOUND"])
          const unknown = yield* call(
            url,
            "GET",
            `/invoices/${invoice.id}/credit-notes/0b7c2a4e-3f1d-4c55-9a1e-00000000dead/download`,
            { token: tenant }
          )
          assert.deepStrictEqual([unknown.status, unknown.body.code], [404, "CREDIT_NOTE.NOT_FOUND"])
          const malformed = yield* call(url, "GET", `/invoices/${invoice.id}/credit-notes/nope/download`, {
            token: tenant
          })
          assert.strictEqual(malformed.status, 400)
          // The customer was e-mailed the note, queued with it; delivered, it carries the same PDF.
          const mails = yield* creditNoteMails(invoice.id)
          assert.strictEqual(mails.length, 1)
          const mail = mails[0]!
          assert.strictEqual(mail.recipient, (yield* TestServer).tenants[1]!.customer.email)
          assert.strictEqual(mail.data.creditNoteId, note.body.creditNote.id)
          assert.strictEqual(
            mail.subject,
            `Credit note ${note.body.creditNote.number} for invoice ${invoice.number}`
          )
          assert.include(mail.text, `${note.body.creditNote.number}.pdf`)
          assert.include(mail.text, "is refunded to you")
          assert.include(mail.text, sellerName)
          const attached = yield* attachmentsOf(mail)
          assert.deepStrictEqual(
            attached.map((a) => [a.filename, a.contentType]),
            [[`${note.body.creditNote.number}.pdf`, "application/pdf"]]
          )
          assert.deepStrictEqual(new Uint8Array(attached[0]!.content), ownPdf.bytes)
          const events = yield* call(url, "GET", "/audit/events?limit=100", { token: tenant })
          assert.strictEqual(events.status, 200)
          const mine = (events.body.data as Array<any>).filter((e) =>
            ["invoice.payment_recorded", "invoice.paid", "credit_note.issued"].includes(e.action)
          )
          assert.deepStrictEqual(mine.map((e) => e.action).sort(), [
            "credit_note.issued",
            "invoice.paid",
            "invoice.payment_recorded",
            "invoice.payment_recorded"
          ])
          for (const e of mine) assert.strictEqual(e.actor, `operator:${op.id}`)
          const checkpoint = yield* call(url, "GET", "/audit/checkpoint", { token: tenant })
          assert.strictEqual(checkpoint.body.verification.status, "intact")
        })
    )

    it.effect("void keeps the number and refuses what follows; resend queues the e-mail again", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const op = yield* operatorKey(["invoices:read", "invoices:write"])
        const invoice = (yield* openInvoices(2))[0]
        const path = `/admin/invoices/${invoice.id}`
        const resent = yield* call(url, "POST", `${path}/resend`, { token: op.key })
        assert.strictEqual(resent.status, 202, JSON.stringify(resent.body))
        assert.match(resent.body.notificationId, /^[0-9a-f-]{36}$/)

        const voided = yield* call(url, "POST", `${path}/void`, {
          token: op.key,
          json: { reason: "issued in error" }
        })
        assert.strictEqual(voided.status, 200, JSON.stringify(voided.body))
        assert.deepStrictEqual(
          [voided.body.status, voided.body.number, voided.body.cancellationReason, voided.body.amountDue],
          ["cancelled", invoice.number, "issued in error", "0"]
        )
        const again = yield* call(url, "POST", `${path}/void`, { token: op.key, json: { reason: "again" } })
        assert.deepStrictEqual([again.status, again.body.code], [409, "INVOICE.ILLEGAL_TRANSITION"])
        const payVoid = yield* call(url, "POST", `${path}/payments`, {
          token: op.key,
          json: pay("1", "void-1")
        })
        assert.deepStrictEqual([payVoid.status, payVoid.body.code], [409, "INVOICE.NOT_OPEN"])
        const creditVoid = yield* call(url, "POST", `${path}/credit-notes`, {
          token: op.key,
          json: { reason: "x", amount: "1" }
        })
        assert.deepStrictEqual([creditVoid.status, creditVoid.body.code], [409, "INVOICE.NOT_OPEN"])

        // Part paid: voiding is refused (credit it instead).
        const other = (yield* openInvoices(0))[0]
        assert.isDefined(other, "the standard demo tenant has an open invoice")
        const partly = yield* call(url, "POST", `/admin/invoices/${other.id}/payments`, {
          token: op.key,
          json: pay("100", "part-1")
        })
        assert.strictEqual(partly.status, 201)
        const refused = yield* call(url, "POST", `/admin/invoices/${other.id}/void`, {
          token: op.key,
          json: { reason: "x" }
        })
        assert.deepStrictEqual([refused.status, refused.body.code], [409, "INVOICE.HAS_PAYMENTS"])
      })
    )

    it.effect("every malformed or refused request is a 4xx with a stable code, never a 5xx", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const op = yield* operatorKey(["invoices:read", "invoices:write"])
        const reader = yield* operatorKey(["invoices:read"])
        const invoice = (yield* openInvoices(3))[0]
        const path = `/admin/invoices/${invoice.id}`
        const unknown = "/admin/invoices/0b7c2a4e-3f1d-4c55-9a1e-00000000dead"
        const post = (p: string, json: unknown, token = op.key) => call(url, "POST", p, { token, json })

        // Unknown invoice: 404 on every endpoint.
        for (const r of [
          yield* call(url, "GET", unknown, { token: op.key }),
          yield* post(`${unknown}/payments`, pay("1", "u-1")),
          yield* post(`${unknown}/void`, { reason: "x" }),
          yield* post(`${unknown}/credit-notes`, { reason: "x", amount: "1" }),
          yield* call(url, "POST", `${unknown}/resend`, { token: op.key })
        ])
          assert.deepStrictEqual([r.status, r.body.code], [404, "INVOICE.NOT_FOUND"])
        const noNote = yield* call(
          url,
          "GET",
          `${path}/credit-notes/0b7c2a4e-3f1d-4c55-9a1e-00000000dead/download`,
          {
            token: op.key
          }
        )
        assert.strictEqual(noNote.status, 404)

        // Malformed ids and amounts: 400.
        assert.strictEqual(
          (yield* call(url, "GET", "/admin/invoices/not-a-uuid", { token: op.key })).status,
          400
        )
        const future = DateTime.formatIso(DateTime.add(DateTime.nowUnsafe(), { days: 2 }))
        const bad: Array<[unknown, number]> = [
          [pay("0", "b-1"), 400],
          [pay("-5", "b-2"), 400],
          [pay("1.50", "b-3"), 400],
          [pay("1".repeat(31), "b-4"), 400],
          [pay("9007199254740992", "b-5"), 400],
          [pay("100", "b-6", { method: "bitcoin" }), 400],
          [pay("100", "has space"), 400],
          [pay("100", "b-7", { paidAt: "yesterday" }), 400],
          [pay("100", "b-8", { reference: "" }), 400],
          [pay("100", "b-9", { reference: "a\u0000b" }), 400],
          [{ amount: "100" }, 400],
          [pay("100", "b-10", { paidAt: future }), 422]
        ]
        for (const [json, status] of bad) {
          const r = yield* post(`${path}/payments`, json)
          assert.strictEqual(r.status, status, JSON.stringify(json))
        }
        const notJson = yield* call(url, "POST", `${path}/payments`, {
          token: op.key,
          body: "{not json",
          headers: { "content-type": "application/json" }
        })
        assert.strictEqual(notJson.status, 400)
        for (const json of [
          { reason: "both", amount: "1", lines: [{ description: "x", amount: "1" }] },
          { reason: "none" },
          { reason: "", amount: "1" },
          { reason: "x", amount: "0" },
          { reason: "x", lines: [] }
        ]) {
          const r = yield* post(`${path}/credit-notes`, json)
          assert.strictEqual(r.status, 400, JSON.stringify(json))
        }
        const unknownLine = yield* post(`${path}/credit-notes`, {
          reason: "x",
          lines: [{ description: "x", invoiceLine: 99, amount: "1" }]
        })
        assert.deepStrictEqual(
          [unknownLine.status, unknownLine.body.code],
          [422, "CREDIT_NOTE.UNKNOWN_INVOICE_LINE"]
        )
        assert.strictEqual((yield* post(`${path}/void`, { reason: "" })).status, 400)

        // Credentials: none 401, a tenant's key 403, an operator without invoices:write 403.
        assert.strictEqual((yield* call(url, "GET", path)).status, 401)
        const tenant = yield* tenantKey(3)
        assert.strictEqual((yield* call(url, "GET", path, { token: tenant })).status, 403)
        assert.strictEqual((yield* post(`${path}/payments`, pay("1", "t-1"), tenant)).status, 403)
        const scope = yield* post(`${path}/payments`, pay("1", "r-1"), reader.key)
        assert.deepStrictEqual([scope.status, scope.body.code], [403, "AUTH.SCOPE_MISSING"])
        assert.strictEqual((yield* call(url, "GET", path, { token: reader.key })).status, 200)

        // Nothing above moved the invoice.
        const after = yield* call(url, "GET", path, { token: op.key })
        assert.deepStrictEqual(
          [after.body.amountDue, after.body.payments, after.body.creditNotes],
          [invoice.total, [], []]
        )
      })
    )

    it.effect(
      "a credit note on a taxed invoice states the tax it reverses; two notes crediting all of it reverse the tax exactly",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const op = yield* operatorKey(["invoices:read", "invoices:write"])
          // The standard demo tenant pays one 8% sales tax (its one open invoice is part paid above).
          const invoice = (yield* openInvoices(0)).at(-1)
          assert.isDefined(invoice, "the standard demo tenant has an open invoice")
          const path = `/admin/invoices/${invoice.id}`
          const start = (yield* call(url, "GET", path, { token: op.key })).body
          assert.deepStrictEqual(
            start.taxLines.map((t: any) => [t.jurisdiction, t.name, t.rate]),
            [["US", "Sales tax", "0.08"]]
          )
          const total = BigInt(start.total)
          const salesTax = BigInt(start.taxLines[0].amount)
          assert.isTrue(salesTax > 0n)
          // Credit what is left of the invoice (an earlier test may have credited some) in two notes.
          const before = (start.creditNotes as Array<any>).reduce((a, c) => a + BigInt(c.amount), 0n)
          const beforeTax = (start.creditNotes as Array<any>).reduce((a, c) => a + BigInt(c.tax ?? "0"), 0n)
          const remaining = total - before
          const first = remaining / 3n
          const issue = (amount: bigint, reason: string) =>
            call(url, "POST", `${path}/credit-notes`, {
              token: op.key,
              json: { reason, amount: amount.toString() }
            })
          const a = yield* issue(first, "Outage credit, part 1")
          assert.strictEqual(a.status, 201, JSON.stringify(a.body))
          const noteA = a.body.creditNote
          assert.deepStrictEqual(
            noteA.taxLines.map((t: any) => [t.jurisdiction, t.name, t.rate]),
            [["US", "Sales tax", "0.08"]]
          )
          assert.strictEqual(noteA.tax, noteA.taxLines[0].amount)
          assert.strictEqual(BigInt(noteA.tax) + BigInt(noteA.net), first)
          // About 8/108 of the note, to the cent of D'Hondt's rounding.
          const exact = (first * salesTax) / total
          assert.isTrue(BigInt(noteA.tax) >= exact - 1n && BigInt(noteA.tax) <= exact + 1n, noteA.tax)

          // Its PDF and its e-mail state the split; the audit records the tax.
          const pdf = yield* call(url, "GET", `${path}/credit-notes/${noteA.id}/download`, { token: op.key })
          const money = (minor: bigint) =>
            `$${(minor / 100n).toLocaleString("en-US")}.${(minor % 100n).toString().padStart(2, "0")}`
          const text = yield* pdfText(pdf.bytes)
          assert.include(text, `of which Sales tax (8%) ${money(BigInt(noteA.tax))}`)
          assert.include(text, `Net of tax ${money(BigInt(noteA.net))}`)
          const mail = (yield* creditNoteMails(invoice.id)).find((m) => m.data.creditNoteId === noteA.id)!
          assert.include(mail.text, `of which Sales tax (8%): ${money(BigInt(noteA.tax))}`)
          assert.include(mail.text, `Net of tax: ${money(BigInt(noteA.net))}`)
          const events = yield* call(url, "GET", "/audit/events?limit=100", { token: yield* tenantKey(0) })
          const issued = (events.body.data as Array<any>).find(
            (e) => e.action === "credit_note.issued" && e.subjectId === noteA.id
          )
          assert.strictEqual(issued.payload.tax, noteA.tax)

          const b = yield* issue(remaining - first, "Outage credit, the rest")
          assert.strictEqual(b.status, 201, JSON.stringify(b.body))
          const noteB = b.body.creditNote
          assert.strictEqual(BigInt(noteB.tax) + BigInt(noteB.net), remaining - first)
          // Everything is credited now: the notes reverse the invoice's tax to the cent.
          const after = yield* call(url, "GET", `/invoices/${invoice.id}`, { token: yield* tenantKey(0) })
          assert.strictEqual(after.status, 200)
          const notes = after.body.creditNotes as Array<any>
          assert.strictEqual(
            notes.reduce((s, c) => s + BigInt(c.amount), 0n),
            total
          )
          assert.strictEqual(beforeTax + BigInt(noteA.tax) + BigInt(noteB.tax), salesTax)
          assert.deepStrictEqual(
            [noteA.id, noteB.id].map((id) => notes.find((c) => c.id === id)?.tax),
            [noteA.tax, noteB.tax]
          )
          if (before === 0n)
            assert.strictEqual(
              notes.reduce((s, c) => s + BigInt(c.tax), 0n),
              salesTax
            )
          assert.deepStrictEqual([after.body.status, after.body.amountDue], ["paid", "0"])
        })
    )
  }
)
