/**
 * The e-mail of a failed payment the provider reported: which invoice, why it failed, what is
 * still due and when it was due, so the customer can pay another way or update the card. Rendered
 * when queued, like every notification.
 */
import { DateTime } from "effect"
import type * as Invoice from "../billing/Invoice.ts"
import type { Customer } from "../customer/Customer.ts"
import * as Money from "../money/Money.ts"

/** The subject and text of the notice that `attempt` to collect `invoice` failed for `reason`. */
export const render = (
  invoice: Invoice.Invoice,
  customer: Customer,
  options: { readonly amountDue: bigint; readonly reason: string; readonly attempt: number }
) => {
  const due = Money.format(Money.make(invoice.currency, options.amountDue))
  const dueOn = invoice.dueAt === null ? "-" : DateTime.formatIsoDate(invoice.dueAt)
  return {
    subject: `Payment failed: invoice ${invoice.number ?? "(draft)"}`,
    text: `Hello ${customer.name},\n\nwe could not collect the payment of invoice ${invoice.number} (attempt ${
      options.attempt
    }): ${options.reason}.\n${due} is still due (due on ${dueOn}). Please update your payment method or pay the invoice another way.\n`
  }
}
