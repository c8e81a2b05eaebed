/**
 * The e-mails about an invoice: subject, plain text and HTML, rendered from the invoice's
 * {@link InvoiceView} (state, amount due, seller, support contact), the view the attached PDF draws
 * too. The plain text carries the `InvoiceText` table; the HTML the same lines as the PDF. The
 * billing run queues `issued` in the same transaction that issues the invoice; the overdue sweep
 * queues `overdue` with the status change, the dunning sweep `reminder` and `suspended` with the
 * step it records. The PDF itself is attached when the notification is
 * delivered (see `MailAttachments`).
 *
 * With an online payment provider the `issued` e-mail is queued by the push instead
 * (`PushDelivery`), once the invoice is at the provider, so it carries "Pay online: <url>"; if the
 * push gave up, it says that online payment is unavailable and how to pay otherwise.
 */
import { DateTime } from "effect"
import type * as Invoice from "../billing/Invoice.ts"
import * as InvoiceText from "../billing/InvoiceText.ts"
import * as InvoiceView from "../billing/InvoiceView.ts"
import * as Seller from "../billing/Seller.ts"
import type { Customer } from "../customer/Customer.ts"
import type { Currency } from "../money/Currency.ts"
import * as Money from "../money/Money.ts"

/** A rendered e-mail. */
export interface InvoiceEmail {
  readonly subject: string
  readonly text: string
  readonly html: string
}

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replaceAll(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!
  )

/**
 * Online payment as the e-mail states it: the provider's hosted page (`payUrl`), or null when the
 * deployment collects online but this invoice has no page (the push gave up). Absent with manual
 * payments: the e-mail says nothing about paying online.
 */
export interface Online {
  readonly payUrl: string | null
}

/** The sentence of an online deployment's invoice without a hosted page. */
export const unavailableOnline = (view: InvoiceView.View): string =>
  `Online payment is not available for this invoice; ${
    view.paymentInstructions === null
      ? `write to ${view.seller.supportEmail} for how to pay.`
      : "please pay as described under How to pay."
  }`

/** The online-payment line of a view: "Pay online: <url>", the unavailable sentence, or nothing. */
const onlineLine = (view: InvoiceView.View, online: Online | undefined): string | null => {
  if (online === undefined || (view.state._tag !== "Open" && view.state._tag !== "Overdue")) return null
  if (view.payOnline !== null) return `Pay online: ${view.payOnline}`
  return view.amountDueMinor > 0n ? unavailableOnline(view) : null
}

const textOf = (
  view: InvoiceView.View,
  invoice: Invoice.Invoice,
  intro: string,
  online: Online | undefined
): string =>
  [
    `Hello ${view.buyer.name},`,
    "",
    intro,
    view.notice,
    "",
    InvoiceText.render(invoice, { customerName: view.buyer.name }),
    ...view.settlements.map((s) => `${s.label}: ${s.amount}`),
    `${view.amountDue.label}: ${view.amountDue.amount}`,
    ...((line) => (line === null ? [] : ["", line]))(onlineLine(view, online)),
    ...(view.paymentInstructions === null ? [] : ["", `How to pay: ${view.paymentInstructions}`]),
    "",
    `The invoice is attached as a PDF (${view.number}.pdf).`,
    `Questions about this invoice: ${view.seller.supportEmail}`,
    "",
    view.seller.name,
    ""
  ].join("\n")

const htmlOf = (view: InvoiceView.View, intro: string, online: Online | undefined): string => {
  const e = escapeHtml
  const line = onlineLine(view, online)
  const payOnline =
    line === null
      ? ""
      : view.payOnline === null
        ? `<p>${e(line)}</p>\n`
        : `<p><strong>Pay online:</strong> <a href="${e(view.payOnline)}">${e(view.payOnline)}</a></p>\n`
  const cell = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb"'
  const num = 'style="padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap"'
  const lines = view.lines
    .map(
      (l) =>
        `<tr><td ${cell}>${l.position}</td><td ${cell}>${e(l.description)}${
          l.pricing === null ? "" : `<br><small style="color:#6b7280">${e(l.pricing)}</small>`
        }${l.details.map((d) => `<br><small style="color:#6b7280">${e(d)}</small>`).join("")}</td><td ${num}>${e(
          l.quantity
        )}</td><td ${num}>${e(l.amount)}</td></tr>`
    )
    .join("\n")
  const row = (r: InvoiceView.TotalRow) =>
    `<tr><td colspan="3" ${num}>${r.strong ? `<strong>${e(r.label)}</strong>` : e(r.label)}</td><td ${num}>${
      r.strong ? `<strong>${e(r.amount)}</strong>` : e(r.amount)
    }</td></tr>`
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${e(view.title)}</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;color:#1a1f29;max-width:640px;margin:0 auto">
<p>Hello ${e(view.buyer.name)},</p>
<p>${e(intro)}</p>
<h1 style="font-size:20px">${e(view.title)} <span style="font-size:14px">${e(view.stateLabel)}</span></h1>
<p><strong>${e(view.notice)}</strong></p>
<p>Billing period ${e(view.period)} &middot; Issued ${e(view.issued)} &middot; Due ${e(view.due)} &middot; ${e(
    view.terms
  )}</p>
<table style="border-collapse:collapse;width:100%">
<thead><tr><th ${cell}>#</th><th ${cell}>Description</th><th ${num}>Quantity</th><th ${num}>Amount</th></tr></thead>
<tbody>
${lines}
${view.unused === null ? "" : `<tr><td ${cell}></td><td colspan="3" ${cell}><small>${e(view.unused)}</small></td></tr>`}
${view.totals.map(row).join("\n")}
${view.settlements.map(row).join("\n")}
${row(view.amountDue)}
</tbody>
</table>
${payOnline}${view.paymentInstructions === null ? "" : `<p><strong>How to pay:</strong> ${e(view.paymentInstructions)}</p>`}
<p>The invoice is attached as a PDF (${e(view.number)}.pdf).</p>
<p>Questions about this invoice: <a href="mailto:${e(view.seller.supportEmail)}">${e(view.seller.supportEmail)}</a></p>
<p>${e(view.seller.name)}</p>
</body>
</html>
`
}

/** The e-mail of an issued invoice. */
export const issued = (
  invoice: Invoice.Invoice,
  customer: Pick<Customer, "name" | "email">,
  seller: Seller.Seller = Seller.demo,
  online?: Online
): InvoiceEmail => {
  const view = InvoiceView.make({
    invoice,
    buyer: InvoiceView.buyerOf(customer),
    seller,
    payUrl: online?.payUrl
  })
  const intro = `your invoice for ${invoice.period} is below and attached.`
  return {
    subject: `Invoice ${invoice.number ?? "(draft)"} for ${invoice.period}`,
    text: textOf(view, invoice, intro, online),
    html: htmlOf(view, intro, online)
  }
}

/** The e-mail of an overdue invoice. */
export const overdue = (
  invoice: Invoice.Invoice,
  customer: Pick<Customer, "name" | "email">,
  seller: Seller.Seller = Seller.demo,
  online?: Online
): InvoiceEmail => {
  const view = InvoiceView.make({
    invoice,
    buyer: InvoiceView.buyerOf(customer),
    seller,
    payUrl: online?.payUrl
  })
  const intro = `invoice ${invoice.number} was due on ${
    invoice.dueAt === null ? "-" : DateTime.formatIsoDate(invoice.dueAt)
  } and is now overdue.`
  return {
    subject: `Overdue: invoice ${invoice.number ?? "(draft)"} for ${invoice.period}`,
    text: textOf(view, invoice, intro, online),
    html: htmlOf(view, intro, online)
  }
}

const amount = (minor: bigint, currency: Currency) => Money.format(Money.make(currency, minor))

const dueOn = (invoice: Invoice.Invoice) =>
  invoice.dueAt === null ? "-" : DateTime.formatIsoDate(invoice.dueAt)

/** A dunning reminder: the invoice is `daysPastDue` days past due with `amountDue` left to pay. */
export const reminder = (
  invoice: Invoice.Invoice,
  customer: Customer,
  options: { readonly amountDue: bigint; readonly daysPastDue: number }
) => ({
  subject: `Reminder: invoice ${invoice.number ?? "(draft)"} is ${options.daysPastDue} days past due`,
  text: `Hello ${customer.name},\n\ninvoice ${invoice.number} was due on ${dueOn(invoice)}; ${amount(
    options.amountDue,
    invoice.currency
  )} is still due. Please pay it at your earliest convenience.\n\n${InvoiceText.render(invoice, { customerName: customer.name })}\n`
})

/** The account is suspended because the invoice is `daysPastDue` days past due. */
export const suspended = (
  invoice: Invoice.Invoice,
  customer: Customer,
  options: { readonly amountDue: bigint; readonly daysPastDue: number }
) => ({
  subject: `Account suspended: invoice ${invoice.number ?? "(draft)"} is ${options.daysPastDue} days past due`,
  text: `Hello ${customer.name},\n\nyour account is suspended because invoice ${invoice.number}, due on ${dueOn(
    invoice
  )}, is ${options.daysPastDue} days past due with ${amount(options.amountDue, invoice.currency)} unpaid. Your API keys and sessions stop working until the invoice is settled and the account is reactivated.\n`
})
