/**
 * The invoice lifecycle as a checked state machine:
 *
 * ```
 * draft → issued → paid | overdue | cancelled
 *                  overdue → paid | cancelled
 * ```
 *
 * `paid` and `cancelled` are final. Every illegal move is a typed error, and `markOverdue` also
 * refuses an invoice that is not yet past its due date plus the customer's overdue grace.
 */
import { DateTime, Duration, Effect, Schema } from "effect"
import { InvoiceId } from "../Ids.ts"
import { type Invoice, type InvoiceNumber, InvoiceStatus } from "./Invoice.ts"

/** The legal next states of each state. */
export const transitions: Readonly<Record<InvoiceStatus, ReadonlyArray<InvoiceStatus>>> = {
  draft: ["issued"],
  issued: ["paid", "overdue", "cancelled"],
  overdue: ["paid", "cancelled"],
  paid: [],
  cancelled: []
}

/** Whether `from → to` is a legal move. */
export const canTransition = (from: InvoiceStatus, to: InvoiceStatus): boolean =>
  transitions[from].includes(to)

/** An illegal move such as paid → issued. */
export class IllegalInvoiceTransition extends Schema.TaggedError<IllegalInvoiceTransition>()(
  "IllegalInvoiceTransition",
  { invoiceId: InvoiceId, from: InvoiceStatus, to: InvoiceStatus }
) {
  /** Stable error code. */
  readonly code = "INVOICE.ILLEGAL_TRANSITION"
  override get message(): string {
    return `invoice ${this.invoiceId} cannot go from ${this.from} to ${this.to}`
  }
}

/** `markOverdue` before the due date plus the overdue grace has passed. */
export class InvoiceNotYetDue extends Schema.TaggedError<InvoiceNotYetDue>()("InvoiceNotYetDue", {
  invoiceId: InvoiceId,
  dueAt: Schema.DateTimeUtc,
  /** The instant after which the invoice may become overdue (due date plus grace). */
  overdueAfter: Schema.DateTimeUtc
}) {
  /** Stable error code. */
  readonly code = "INVOICE.NOT_YET_DUE"
}

const move = (invoice: Invoice, to: InvoiceStatus): Effect.Effect<void, IllegalInvoiceTransition> =>
  canTransition(invoice.status, to)
    ? Effect.void
    : Effect.fail(new IllegalInvoiceTransition({ invoiceId: invoice.id, from: invoice.status, to }))

/** The due date of an invoice issued at `issuedAt` on net `netDays` terms. */
export const dueDate = (issuedAt: DateTime.Utc, netDays: number): DateTime.Utc =>
  DateTime.add(issuedAt, { days: netDays })

/** draft → issued: assigns the number, the issue time and the due date. */
export const issue = (
  invoice: Invoice,
  options: { readonly number: InvoiceNumber; readonly at: DateTime.Utc }
): Effect.Effect<Invoice, IllegalInvoiceTransition> =>
  Effect.as(move(invoice, "issued"), {
    ...invoice,
    status: "issued",
    number: options.number,
    issuedAt: options.at,
    dueAt: dueDate(options.at, invoice.netDays)
  })

/** issued | overdue → paid. */
export const markPaid = (
  invoice: Invoice,
  options: { readonly at: DateTime.Utc; readonly reference: string }
): Effect.Effect<Invoice, IllegalInvoiceTransition> =>
  Effect.as(move(invoice, "paid"), {
    ...invoice,
    status: "paid",
    paidAt: options.at,
    paymentReference: options.reference
  })

/**
 * The instant after which an issued invoice may become overdue: its due date plus `graceDays`
 * (24-hour days, like the net days of the due date). Null for an invoice without a due date.
 */
export const overdueAfter = (invoice: Invoice, graceDays: number): DateTime.Utc | null =>
  invoice.dueAt === null ? null : DateTime.add(invoice.dueAt, { days: graceDays })

/**
 * issued → overdue, only once the due date plus the customer's overdue grace (`graceDays`,
 * `Customer.overdueGraceDays`) has passed: a net-0 invoice is not overdue the second it is issued.
 */
export const markOverdue = (
  invoice: Invoice,
  options: { readonly at: DateTime.Utc; readonly graceDays: number }
): Effect.Effect<Invoice, IllegalInvoiceTransition | InvoiceNotYetDue> =>
  Effect.flatMap(move(invoice, "overdue"), () => {
    const after = overdueAfter(invoice, options.graceDays)
    return after !== null && DateTime.isGreaterThan(options.at, after)
      ? Effect.succeed({ ...invoice, status: "overdue" as const, overdueAt: options.at })
      : Effect.fail(
          new InvoiceNotYetDue({
            invoiceId: invoice.id,
            dueAt: invoice.dueAt ?? options.at,
            overdueAfter: after ?? options.at
          })
        )
  })

/** issued | overdue → cancelled, with a reason. */
export const cancel = (
  invoice: Invoice,
  options: { readonly at: DateTime.Utc; readonly reason: string }
): Effect.Effect<Invoice, IllegalInvoiceTransition> =>
  Effect.as(move(invoice, "cancelled"), {
    ...invoice,
    status: "cancelled",
    cancelledAt: options.at,
    cancellationReason: options.reason
  })

/** Whether an issued invoice is past its due date at `at` (it may still be within its overdue grace). */
export const isPastDue = (invoice: Invoice, at: DateTime.Utc): boolean =>
  invoice.status === "issued" && invoice.dueAt !== null && DateTime.isGreaterThan(at, invoice.dueAt)

/** Whether an issued invoice is past its due date plus `graceDays` at `at` (what the overdue sweep looks for). */
export const isOverdueAt = (invoice: Invoice, at: DateTime.Utc, graceDays: number): boolean => {
  const after = overdueAfter(invoice, graceDays)
  return invoice.status === "issued" && after !== null && DateTime.isGreaterThan(at, after)
}

/** How long past due an invoice is at `at` (zero when it is not). */
export const pastDueBy = (invoice: Invoice, at: DateTime.Utc): Duration.Duration =>
  invoice.dueAt !== null && DateTime.isGreaterThan(at, invoice.dueAt)
    ? Duration.millis(DateTime.toEpochMillis(at) - DateTime.toEpochMillis(invoice.dueAt))
    : Duration.zero
