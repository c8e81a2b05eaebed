/**
 * The e-mail of an issued credit note: which invoice it credits and why, how much, the tax it
 * reverses (per tax line) and the net, how it was applied (against the amount due, refunded), what is still due, and the note as an attached PDF
 * (made when the e-mail is delivered, like the invoice's: see `MailAttachments`). Rendered when
 * queued, in the transaction that issues the note, so the e-mail exists if and only if the note does.
 */
import { DateTime } from "effect"
import type * as CreditNote from "../billing/CreditNote.ts"
import * as CreditNoteTax from "../billing/CreditNoteTax.ts"
import type * as Invoice from "../billing/Invoice.ts"
import * as Seller from "../billing/Seller.ts"
import type { Customer } from "../customer/Customer.ts"
import * as Money from "../money/Money.ts"
import { escapeHtml, type InvoiceEmail } from "./InvoiceMail.ts"

/** The subject, text and HTML of the e-mail of `note` on `invoice`, with `amountDue` left after it. */
export const render = (
  note: CreditNote.CreditNote,
  invoice: Pick<Invoice.Invoice, "number" | "period" | "currency">,
  customer: Pick<Customer, "name">,
  options: { readonly amountDue: bigint; readonly seller?: Seller.Seller }
): InvoiceEmail => {
  const seller = options.seller ?? Seller.demo
  const money = (minor: bigint) => Money.format(Money.make(invoice.currency, minor))
  const invoiceNumber = invoice.number ?? "(draft)"
  const rows: ReadonlyArray<readonly [string, string]> = [
    ["Credit note", note.number],
    ["Issued", DateTime.formatIsoDate(note.issuedAt)],
    ["Invoice", `${invoiceNumber} (${invoice.period})`],
    ["Reason", note.reason],
    ...note.lines.map((l) => [`${l.position}. ${l.description}`, money(l.amount)] as const),
    ["Total credited", money(note.amount)],
    ...CreditNoteTax.summary(note).map(([label, minor]) => [label, money(minor)] as const),
    ["Applied to the amount due", money(note.credited)],
    ["Refunded to you", money(note.refunded)],
    ["Still due on the invoice", money(options.amountDue)]
  ]
  const intro = `we have issued credit note ${note.number} for invoice ${invoiceNumber}.`
  const refundLine =
    note.refunded > 0n ? `${money(note.refunded)} is refunded to you by the way you paid.` : null
  const text = [
    `Hello ${customer.name},`,
    "",
    intro,
    ...(refundLine === null ? [] : [refundLine]),
    "",
    ...rows.map(([label, value]) => `${label}: ${value}`),
    "",
    `The credit note is attached as a PDF (${note.number}.pdf).`,
    `Questions about it: ${seller.supportEmail}`,
    "",
    seller.name,
    ""
  ].join("\n")
  const e = escapeHtml
  const cell = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb"'
  const num = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap"'
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Credit note ${e(note.number)}</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;color:#1a1f29;max-width:640px;margin:0 auto">
<p>Hello ${e(customer.name)},</p>
<p>${e(intro)}</p>
${refundLine === null ? "" : `<p><strong>${e(refundLine)}</strong></p>\n`}<table style="border-collapse:collapse;width:100%">
<tbody>
${rows.map(([label, value]) => `<tr><td ${cell}>${e(label)}</td><td ${num}>${e(value)}</td></tr>`).join("\n")}
</tbody>
</table>
<p>The credit note is attached as a PDF (${e(note.number)}.pdf).</p>
<p>Questions about it: <a href="mailto:${e(seller.supportEmail)}">${e(seller.supportEmail)}</a></p>
<p>${e(seller.name)}</p>
</body>
</html>
`
  return { subject: `Credit note ${note.number} for invoice ${invoiceNumber}`, text, html }
}
