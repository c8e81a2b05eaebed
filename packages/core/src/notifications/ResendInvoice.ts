/**
 * Resending an invoice's e-mail: queue the issued invoice's e-mail again through the outbox, as
 * the customer, with an `invoice.resent` audit event in the same transaction. One function for the
 * operator's `POST /admin/invoices/{id}/resend` and the tenant's `POST /invoices/{id}/resend`; the
 * audit event's actor tells them apart. A draft has no e-mail to resend.
 */
import { DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { InvoiceRepo } from "../billing/InvoiceRepo.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import { InvoiceId as InvoiceIdSchema } from "../Ids.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import * as InvoiceMail from "./InvoiceMail.ts"
import * as Notification from "./Notification.ts"
import { Outbox } from "./Outbox.ts"

/** A draft invoice: nothing was sent, so nothing can be resent. */
export class InvoiceNotIssued extends Schema.TaggedError<InvoiceNotIssued>()("InvoiceNotIssued", {
  invoiceId: InvoiceIdSchema
}) {
  /** Stable error code. */
  readonly code = "INVOICE.NOT_ISSUED"
  override get message(): string {
    return `invoice ${this.invoiceId} is a draft: it has no e-mail to resend`
  }
}

/** Queues the invoice's e-mail again to the customer's billing address; returns the notification id. */
export const resend = Effect.fn("ResendInvoice.resend")(function* (
  customerId: CustomerId,
  invoiceId: InvoiceId
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const invoice = yield* InvoiceRepo.use((r) => r.findById(invoiceId))
      if (invoice.status === "draft") return yield* new InvoiceNotIssued({ invoiceId })
      const customer = yield* CustomerRepo.use((r) => r.findById(customerId))
      const at = yield* DateTime.now
      const id = yield* Notification.makeId
      yield* Outbox.use((o) =>
        o.enqueue({
          id,
          customerId,
          channel: "email",
          template: "invoice_issued",
          recipient: customer.email,
          ...InvoiceMail.issued(invoice, customer),
          data: { invoiceId, invoiceNumber: invoice.number ?? "", resent: "true" },
          createdAt: at
        })
      )
      yield* AuditLog.use((a) =>
        a.append(
          new NewAuditEvent({
            customerId,
            action: "invoice.resent" as AuditAction,
            subjectType: "invoice",
            subjectId: invoiceId,
            payload: { number: invoice.number, notificationId: id, recipient: customer.email }
          })
        )
      )
      return { notificationId: id, recipient: customer.email }
    })
  )
})
