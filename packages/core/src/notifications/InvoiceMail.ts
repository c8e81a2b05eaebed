/**
 * The e-mails about an invoice: subject and plain text, rendered from the invoice with
 * `InvoiceText`. The billing run queues `issued` in the same transaction that issues the invoice;
 * the overdue sweep queues `overdue` with the status change; the dunning sweep queues `reminder`
 * and `suspended` with the step it records.
 */
import { DateTime } from "effect"
import type * as Invoice from "../billing/Invoice.ts"
import * as InvoiceText from "../billing/InvoiceText.ts"
import type { Customer } from "../customer/Customer.ts"
import type { Currency } from "../money/Currency.ts"
import * as Money from "../money/Money.ts"

/** The e-mail of an issued invoice. */
export const issued = (invoice: Invoice.Invoice, customer: Customer) => ({
  subject: `Invoice ${invoice.number ?? "(draft)"} for ${invoice.period}`,
  text: `Hello ${customer.name},\n\nyour invoice for ${invoice.period} is below.\n\n${InvoiceText.render(invoice, { customerName: customer.name })}\n`
})

/** The e-mail of an overdue invoice. */
export const overdue = (invoice: Invoice.Invoice, customer: Customer) => ({
  subject: `Overdue: invoice ${invoice.number ?? "(draft)"} for ${invoice.period}`,
  text: `Hello ${customer.name},\n\ninvoice ${invoice.number} was due on ${
    invoice.dueAt === null ? "-" : DateTime.formatIsoDate(invoice.dueAt)
  } and is now overdue.\n\n${InvoiceText.render(invoice, { customerName: customer.name })}\n`
})

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
