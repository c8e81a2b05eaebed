/**
 * The e-mails about an invoice: subject and plain text, rendered from the invoice with
 * `InvoiceText`. The billing run queues `issued` in the same transaction that issues the invoice;
 * the overdue sweep queues `overdue` with the status change.
 */
import { DateTime } from "effect"
import type * as Invoice from "../billing/Invoice.ts"
import * as InvoiceText from "../billing/InvoiceText.ts"
import type { Customer } from "../customer/Customer.ts"

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
