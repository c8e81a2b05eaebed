/**
 * The overdue sweep: issued invoices past their due date plus their customer's overdue grace
 * (`Customer.overdueGraceDays`) become overdue, each with an e-mail in the outbox (with the
 * hosted payment link when the invoice is at the payment provider) and an
 * `invoice.overdue` audit event in the same worker transaction. Batches are claimed with
 * `FOR UPDATE SKIP LOCKED`, so concurrent sweeps split the work and a re-run finds nothing left
 * to do.
 */
import { DateTime, Effect } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import * as InvoiceMail from "../notifications/InvoiceMail.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import { PaymentCollection } from "../payments/PaymentCollection.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import * as InvoiceLifecycle from "./InvoiceLifecycle.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import { PastDueInvoices } from "./PastDueInvoices.ts"
import { CurrentSeller } from "./Seller.ts"

/** Marks every invoice past its due date and grace at the current time overdue; returns how many. */
export const sweep = Effect.fn("OverdueSweep.sweep")(function* (
  options: { readonly batchSize?: number } = {}
) {
  const tenancy = yield* Tenancy
  const batchSize = options.batchSize ?? 100
  let count = 0
  while (true) {
    const at = yield* DateTime.now
    const moved = yield* tenancy.runAsWorker(
      Effect.gen(function* () {
        const ids = yield* PastDueInvoices.use((p) => p.claim(at, batchSize))
        for (const id of ids) {
          const invoice = yield* InvoiceRepo.use((r) => r.findById(id))
          const customer = yield* CustomerRepo.use((r) => r.findById(invoice.customerId))
          const overdue = yield* InvoiceLifecycle.markOverdue(invoice, {
            at,
            graceDays: customer.overdueGraceDays
          })
          yield* InvoiceRepo.use((r) => r.updateLifecycle(overdue))
          const notificationId = yield* Notification.makeId
          const seller = yield* CurrentSeller
          // Online collection: the hosted payment page, once the invoice's push has delivered.
          const payUrl = yield* (yield* PaymentCollection).payUrl(overdue.id)
          yield* Outbox.use((o) =>
            o.enqueue({
              id: notificationId,
              customerId: customer.id,
              channel: "email",
              template: "invoice_overdue",
              recipient: customer.email,
              ...InvoiceMail.overdue(overdue, customer, seller, payUrl === null ? undefined : { payUrl }),
              data: { invoiceId: overdue.id, invoiceNumber: overdue.number ?? "" },
              createdAt: at
            })
          )
          yield* AuditLog.use((a) =>
            a.append(
              new NewAuditEvent({
                customerId: customer.id,
                action: "invoice.overdue" satisfies WorkerAction as AuditAction,
                subjectType: "invoice",
                subjectId: overdue.id,
                payload: { number: overdue.number, notificationId }
              })
            )
          )
        }
        return ids.length
      })
    )
    count += moved
    if (moved < batchSize) return count
  }
})
