/**
 * Issuing one customer's invoice for a period, inside the caller's worker transaction (the billing
 * run's `single` mode; batch mode does the same steps with multi-row statements): close the
 * period to the customer's new usage and read it, price it, take the next gap-free number, store
 * the invoice issued, queue its e-mail (manual collection) or its push to the payment provider
 * (online collection; the push queues the e-mail with the payment link), and append `invoice.issued` to the audit log.
 */
import { DateTime, Effect } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { Customer } from "../customer/Customer.ts"
import type { InvoiceId } from "../Ids.ts"
import * as InvoiceMail from "../notifications/InvoiceMail.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import * as PaymentCollection from "../payments/PaymentCollection.ts"
import { BillableUsage } from "./BillableUsage.ts"
import * as CustomerPricing from "./CustomerPricing.ts"
import type * as Invoice from "./Invoice.ts"
import * as InvoiceLifecycle from "./InvoiceLifecycle.ts"
import { InvoiceNumbers } from "./InvoiceNumbers.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import * as Period from "./Period.ts"
import { CurrentSeller } from "./Seller.ts"

/**
 * The e-mail (unless `notify` is false) and the `invoice.issued` audit event of an issued invoice.
 * With online collection there is no e-mail here: the invoice's push queues it once the hosted
 * payment link is known (`PushDelivery`).
 */
export const issuedRecords = Effect.fn("IssueInvoice.issuedRecords")(function* (
  invoice: Invoice.Invoice,
  customer: Customer,
  options: { readonly at: DateTime.Utc; readonly notify?: boolean }
) {
  const online = PaymentCollection.isOnline(yield* PaymentCollection.PaymentCollection)
  const notification: Notification.NewNotification | null =
    options.notify === false || online
      ? null
      : {
          id: yield* Notification.makeId,
          customerId: customer.id,
          channel: "email",
          template: "invoice_issued",
          recipient: customer.email,
          ...InvoiceMail.issued(invoice, customer, yield* CurrentSeller),
          data: { invoiceId: invoice.id, invoiceNumber: invoice.number ?? "" },
          createdAt: options.at
        }
  const audit = new NewAuditEvent({
    customerId: customer.id,
    action: "invoice.issued" satisfies WorkerAction as AuditAction,
    subjectType: "invoice",
    subjectId: invoice.id,
    payload: {
      number: invoice.number,
      period: invoice.period,
      currency: invoice.currency,
      total: invoice.total.toString(),
      dueAt: invoice.dueAt === null ? null : DateTime.formatIso(invoice.dueAt),
      notificationId: notification?.id ?? null
    }
  })
  return { notification, audit }
})

/**
 * The billing step of one customer, inside the caller's worker transaction: close the period to
 * the customer's new usage and read it, price, number, store issued, queue the e-mail or (online
 * collection) the push that mails it, unless `notify` is false, and audit. Numbers belong to the
 * year the invoice is issued in.
 */
export const billCustomer = Effect.fn("IssueInvoice.billCustomer")(function* (
  customer: Customer,
  period: Period.Period,
  options: { readonly at: DateTime.Utc; readonly invoiceId?: InvoiceId; readonly notify?: boolean }
) {
  const usage = yield* BillableUsage.use((u) => u.closeAndRead([customer.id], period))
  const draft = yield* CustomerPricing.priceFromEvents(
    customer,
    period,
    usage.get(customer.id) ?? [],
    options
  )
  const number = yield* InvoiceNumbers.use((n) => n.next(Period.parts(Period.ofDateTime(options.at)).year))
  const invoice = yield* InvoiceLifecycle.issue(draft, { number, at: options.at })
  yield* InvoiceRepo.use((r) => r.insert(invoice))
  const records = yield* issuedRecords(invoice, customer, options)
  if (records.notification !== null) {
    const notification = records.notification
    yield* Outbox.use((o) => o.enqueue(notification))
  }
  // Without notice (history billed after the fact, e.g. the demo's) the invoice is still pushed,
  // so it can be paid online, but its push mails nothing (online collection mails from the push).
  yield* (yield* PaymentCollection.PaymentCollection).enqueue([invoice], options.at, {
    notify: options.notify !== false
  })
  yield* AuditLog.use((a) => a.append(records.audit))
  return invoice
})
