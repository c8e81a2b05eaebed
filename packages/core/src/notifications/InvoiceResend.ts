/**
 * Sending an invoice's e-mail again, on request (the customer's portal and API, an operator's
 * admin resend): the e-mail the invoice's state calls for (with the hosted payment link once the
 * invoice is at the payment provider) is queued in the outbox, a resend is
 * counted, and `invoice.resent` is appended, all in the caller's tenant transaction.
 *
 * Resends are limited per invoice: at most `perWindow` in each UTC clock hour. The database holds
 * the count (one row per resend with its slot in the hour, the slot checked against the limit the
 * row was written under, and the slot unique per invoice and hour), so two requests racing for
 * the last slot cannot both get it, whichever process they run in.
 */
import { Context, DateTime, Effect, Option, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { InvoiceStatus } from "../billing/Invoice.ts"
import { InvoiceRepo } from "../billing/InvoiceRepo.ts"
import { CurrentSeller } from "../billing/Seller.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import { type CustomerId, InvoiceId } from "../Ids.ts"
import { PaymentCollection } from "../payments/PaymentCollection.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import * as InvoiceMail from "./InvoiceMail.ts"
import * as Notification from "./Notification.ts"
import { Outbox } from "./Outbox.ts"

/** How many resends of one invoice each UTC clock hour allows. */
export interface Limit {
  readonly perWindow: number
}

/** Three per invoice per hour: enough to recover a lost e-mail, too few to make us a spammer. */
export const defaultLimit: Limit = { perWindow: 3 }

/** The hour's resends of this invoice are used up; the next hour begins in `retryAfterSeconds`. */
export class ResendLimited extends Schema.TaggedError<ResendLimited>()("ResendLimited", {
  invoiceId: InvoiceId,
  limit: Schema.Int,
  retryAfterSeconds: Schema.Int
}) {
  /** Stable error code. */
  readonly code = "INVOICE.RESEND_LIMITED"
}

/** A draft or cancelled invoice has no e-mail to send again. */
export class NotSendable extends Schema.TaggedError<NotSendable>()("InvoiceNotSendable", {
  invoiceId: InvoiceId,
  status: InvoiceStatus
}) {
  /** Stable error code. */
  readonly code = "INVOICE.NOT_SENDABLE"
}

/** One resend to count. */
export interface ResendClaim {
  readonly customerId: CustomerId
  readonly invoiceId: InvoiceId
  /** The start of the UTC hour it counts in. */
  readonly windowStart: DateTime.Utc
  readonly limit: number
  readonly notificationId: Notification.NotificationId
  readonly at: DateTime.Utc
}

/** Port: the count of resends per invoice and hour (under row-level security). */
export class InvoiceResends extends Context.Service<
  InvoiceResends,
  {
    /**
     * Counts one more resend in its hour and answers its slot (1 … limit), or none when the hour's
     * slots are all taken (concurrent resends included).
     */
    readonly claim: (
      claim: ResendClaim
    ) => Effect.Effect<Option.Option<number>, TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/notifications/InvoiceResends") {}

/** The UTC hour `at` falls in, and the seconds until the next one begins (at least 1). */
export const window = (at: DateTime.Utc): { readonly start: DateTime.Utc; readonly secondsLeft: number } => {
  const start = DateTime.startOf(at, "hour")
  const end = DateTime.add(start, { hours: 1 })
  const millis = DateTime.toEpochMillis(end) - DateTime.toEpochMillis(at)
  return { start, secondsLeft: Math.max(1, Math.ceil(millis / 1000)) }
}

/**
 * Queues the e-mail of invoice `invoiceId` again (its overdue notice when it is overdue), counts
 * the resend and audits `invoice.resent`, inside the caller's tenant transaction: an invoice the
 * tenant cannot see is `NotFound`, exactly as on reading it.
 */
export const resend = Effect.fn("InvoiceResend.resend")(function* (
  invoiceId: InvoiceId,
  options: { readonly at: DateTime.Utc; readonly policy?: Limit }
) {
  const policy = options.policy ?? defaultLimit
  const invoice = yield* InvoiceRepo.use((r) => r.findById(invoiceId))
  if (invoice.status === "draft" || invoice.status === "cancelled")
    return yield* new NotSendable({ invoiceId, status: invoice.status })
  const customer = yield* CustomerRepo.use((r) => r.findById(invoice.customerId))
  const notificationId = yield* Notification.makeId
  const hour = window(options.at)
  const slot = yield* InvoiceResends.use((r) =>
    r.claim({
      customerId: customer.id,
      invoiceId,
      windowStart: hour.start,
      limit: policy.perWindow,
      notificationId,
      at: options.at
    })
  )
  if (Option.isNone(slot))
    return yield* new ResendLimited({
      invoiceId,
      limit: policy.perWindow,
      retryAfterSeconds: hour.secondsLeft
    })
  const overdue = invoice.status === "overdue"
  // Online collection: the hosted payment page once the push has delivered (until then the
  // e-mail is the one manual payments send; the push's own e-mail brings the link).
  const payUrl = yield* (yield* PaymentCollection).payUrl(invoice.id)
  const online = payUrl === null ? undefined : { payUrl }
  const seller = yield* CurrentSeller
  const notification: Notification.NewNotification = {
    id: notificationId,
    customerId: customer.id,
    channel: "email",
    template: overdue ? "invoice_overdue" : "invoice_issued",
    recipient: customer.email,
    ...(overdue
      ? InvoiceMail.overdue(invoice, customer, seller, online)
      : InvoiceMail.issued(invoice, customer, seller, online)),
    data: { invoiceId: invoice.id, invoiceNumber: invoice.number ?? "", resend: String(slot.value) },
    createdAt: options.at
  }
  yield* Outbox.use((o) => o.enqueue(notification))
  yield* AuditLog.use((a) =>
    a.append(
      new NewAuditEvent({
        customerId: customer.id,
        action: "invoice.resent" as AuditAction,
        subjectType: "invoice",
        subjectId: invoice.id,
        payload: {
          number: invoice.number,
          notificationId,
          template: notification.template,
          recipient: customer.email,
          slot: slot.value,
          limit: policy.perWindow
        }
      })
    )
  )
  return { notificationId, recipient: customer.email, remaining: policy.perWindow - slot.value }
})
