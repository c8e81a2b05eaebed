/**
 * Receivables: what happens to an issued invoice's money, as pure functions over its account (the
 * invoice, its payments and its credit notes).
 *
 * - `amountDue = total − paid − credited`, where `credited` is the part of the credit notes that
 *   reduced what was owed (the rest of a credit note, `refunded`, was paid back). A voided
 *   (`cancelled`) invoice owes nothing, nor does a `paid` one.
 * - A payment is refused beyond the amount due ({@link Overpayment}): SecureBase keeps no customer
 *   credit balance, so money beyond the invoice is the operator's to return, not ours to hold.
 * - The invoice becomes `paid` when its amount due reaches zero, by a payment or a credit note.
 * - Void moves an open invoice to `cancelled` (its number stays used, so the sequence has no gap);
 *   an invoice with money received cannot be voided: credit it instead.
 * - Credit notes never exceed what was invoiced net of earlier credit notes, nor, for a line that
 *   names an invoice line, that line's net amount (amount − discount) net of earlier credits to it.
 *   The part beyond the amount due is a refund; it can never exceed what was paid.
 * - A refund note (the money went back, as a provider reports a refund) is refunded whole, credits
 *   nothing, and never exceeds what was received net of earlier refunds ({@link refundable}).
 */
import { type DateTime, Effect, Schema } from "effect"
import { InvoiceId } from "../Ids.ts"
import * as CreditNote from "./CreditNote.ts"
import * as CreditNoteTax from "./CreditNoteTax.ts"
import type { Invoice } from "./Invoice.ts"
import { InvoiceStatus } from "./Invoice.ts"
import * as InvoiceLifecycle from "./InvoiceLifecycle.ts"
import type * as Payment from "./Payment.ts"

/** An invoice with what was paid and credited against it. */
export interface Account {
  readonly invoice: Invoice
  readonly payments: ReadonlyArray<Payment.Payment>
  readonly creditNotes: ReadonlyArray<CreditNote.CreditNote>
}

const sum = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => a + b, 0n)

/** The sum of the payments received. */
export const paid = (account: Account): bigint => sum(account.payments.map((p) => p.amount))
/** The part of the credit notes that reduced the amount due. */
export const credited = (account: Account): bigint => sum(account.creditNotes.map((c) => c.credited))
/** The part of the credit notes paid back to the customer. */
export const refunded = (account: Account): bigint => sum(account.creditNotes.map((c) => c.refunded))
/** The credit notes' total. */
export const creditTotal = (account: Account): bigint => sum(account.creditNotes.map((c) => c.amount))

/**
 * What was received and not yet paid back: `(total − creditTotal) − amountDue`, which is
 * `paid − refunded` for an open invoice and also holds for one marked paid without payment rows.
 */
export const refundable = (account: Account): bigint =>
  account.invoice.status === "cancelled"
    ? 0n
    : account.invoice.total - creditTotal(account) - amountDue(account)

/**
 * What the customer still owes: `total − paid − credited`; zero for a voided invoice, and for a
 * paid one (invoices marked paid before payments were recorded have no payment rows).
 */
export const amountDue = (account: Account): bigint =>
  account.invoice.status === "cancelled" || account.invoice.status === "paid"
    ? 0n
    : account.invoice.total - paid(account) - credited(account)

/** Payments and credit notes need an issued or overdue invoice (credit notes also a paid one). */
export class InvoiceNotOpen extends Schema.TaggedError<InvoiceNotOpen>()("InvoiceNotOpen", {
  invoiceId: InvoiceId,
  status: InvoiceStatus,
  operation: Schema.Literals(["payment", "credit_note"])
}) {
  /** Stable error code. */
  readonly code = "INVOICE.NOT_OPEN"
  override get message(): string {
    return `invoice ${this.invoiceId} is ${this.status}: no ${this.operation === "payment" ? "payment" : "credit note"} can be recorded against it`
  }
}

/** A payment beyond the amount due. */
export class Overpayment extends Schema.TaggedError<Overpayment>()("Overpayment", {
  invoiceId: InvoiceId,
  /** Minor units, as integer strings. */
  amount: Schema.String,
  amountDue: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PAYMENT.OVERPAYMENT"
  override get message(): string {
    return `a payment of ${this.amount} exceeds the amount due of ${this.amountDue} (overpayments are refused)`
  }
}

/** A payment dated after the moment it is recorded. */
export class PaymentInFuture extends Schema.TaggedError<PaymentInFuture>()("PaymentInFuture", {
  paidAt: Schema.DateTimeUtc,
  recordedAt: Schema.DateTimeUtc
}) {
  /** Stable error code. */
  readonly code = "PAYMENT.PAID_AT_IN_FUTURE"
  override get message(): string {
    return "paidAt is later than now"
  }
}

/** An idempotency key already used for a different request. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  idempotencyKey: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PAYMENT.IDEMPOTENCY_KEY_REUSED"
  override get message(): string {
    return `idempotency key ${this.idempotencyKey} was already used for a different payment`
  }
}

/** Void of an invoice that has money received on it. */
export class InvoiceHasPayments extends Schema.TaggedError<InvoiceHasPayments>()("InvoiceHasPayments", {
  invoiceId: InvoiceId,
  /** Minor units received net of refunds, as an integer string. */
  paid: Schema.String
}) {
  /** Stable error code. */
  readonly code = "INVOICE.HAS_PAYMENTS"
  override get message(): string {
    return `invoice ${this.invoiceId} has ${this.paid} minor units paid: issue a credit note instead of voiding it`
  }
}

/** A credit note beyond what was invoiced (net of earlier credit notes), in total or on one line. */
export class CreditExceedsInvoiced extends Schema.TaggedError<CreditExceedsInvoiced>()(
  "CreditExceedsInvoiced",
  {
    invoiceId: InvoiceId,
    /** The invoice line, when the limit is one line's. */
    invoiceLine: Schema.NullOr(Schema.Int),
    /** Minor units, as integer strings. */
    requested: Schema.String,
    available: Schema.String
  }
) {
  /** Stable error code. */
  readonly code = "CREDIT_NOTE.EXCEEDS_INVOICED"
  override get message(): string {
    return `a credit of ${this.requested} exceeds the ${this.available} still creditable${
      this.invoiceLine === null ? "" : ` on invoice line ${this.invoiceLine}`
    }`
  }
}

/** A refund beyond what was received on the invoice, net of earlier refunds. */
export class RefundExceedsReceived extends Schema.TaggedError<RefundExceedsReceived>()(
  "RefundExceedsReceived",
  {
    invoiceId: InvoiceId,
    /** Minor units, as integer strings. */
    requested: Schema.String,
    refundable: Schema.String
  }
) {
  /** Stable error code. */
  readonly code = "CREDIT_NOTE.REFUND_EXCEEDS_RECEIVED"
  override get message(): string {
    return `a refund of ${this.requested} exceeds the ${this.refundable} received and not yet refunded`
  }
}

/** A credit note line naming an invoice line that does not exist. */
export class UnknownInvoiceLine extends Schema.TaggedError<UnknownInvoiceLine>()("UnknownInvoiceLine", {
  invoiceId: InvoiceId,
  invoiceLine: Schema.Int
}) {
  /** Stable error code. */
  readonly code = "CREDIT_NOTE.UNKNOWN_INVOICE_LINE"
  override get message(): string {
    return `invoice ${this.invoiceId} has no line ${this.invoiceLine}`
  }
}

const isOpen = (invoice: Invoice) => invoice.status === "issued" || invoice.status === "overdue"

/**
 * Records a payment: the payment and the invoice after it (`paid` when nothing is left due, at the
 * payment's `paidAt`, with its reference).
 */
export const applyPayment = (
  account: Account,
  options: {
    readonly id: Payment.PaymentId
    readonly input: Payment.PaymentInput
    readonly at: DateTime.Utc
  }
): Effect.Effect<
  { readonly payment: Payment.Payment; readonly invoice: Invoice },
  InvoiceNotOpen | Overpayment | PaymentInFuture | InvoiceLifecycle.IllegalInvoiceTransition
> =>
  Effect.gen(function* () {
    const { invoice } = account
    const { input, at } = options
    if (!isOpen(invoice))
      return yield* new InvoiceNotOpen({
        invoiceId: invoice.id,
        status: invoice.status,
        operation: "payment"
      })
    if (input.paidAt.epochMilliseconds > at.epochMilliseconds)
      return yield* new PaymentInFuture({ paidAt: input.paidAt, recordedAt: at })
    const due = amountDue(account)
    if (input.amount > due)
      return yield* new Overpayment({
        invoiceId: invoice.id,
        amount: input.amount.toString(),
        amountDue: due.toString()
      })
    const payment: Payment.Payment = {
      id: options.id,
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      currency: invoice.currency,
      amount: input.amount,
      method: input.method,
      reference: input.reference,
      paidAt: input.paidAt,
      idempotencyKey: input.idempotencyKey,
      recordedAt: at
    }
    const after =
      due - input.amount === 0n
        ? yield* InvoiceLifecycle.markPaid(invoice, { at: input.paidAt, reference: input.reference })
        : invoice
    return { payment, invoice: after }
  })

/** Voids an open invoice without money received: `cancelled` with the reason; the number stays used. */
export const voidInvoice = (
  account: Account,
  options: { readonly reason: string; readonly at: DateTime.Utc }
): Effect.Effect<Invoice, InvoiceLifecycle.IllegalInvoiceTransition | InvoiceHasPayments> =>
  Effect.gen(function* () {
    const net = paid(account) - refunded(account)
    if (net > 0n && isOpen(account.invoice))
      return yield* new InvoiceHasPayments({ invoiceId: account.invoice.id, paid: net.toString() })
    return yield* InvoiceLifecycle.cancel(account.invoice, options)
  })

/**
 * Checks a credit note against the account: the invoice issued (open or paid), every named
 * invoice line existing, and no limit exceeded. Returns the lines and their total.
 */
export const checkCreditNote = (
  account: Account,
  input: CreditNote.CreditNoteInput
): Effect.Effect<
  { readonly lines: ReadonlyArray<CreditNote.CreditNoteLine>; readonly amount: bigint },
  InvoiceNotOpen | CreditExceedsInvoiced | UnknownInvoiceLine
> =>
  Effect.gen(function* () {
    const { invoice } = account
    if (!isOpen(invoice) && invoice.status !== "paid")
      return yield* new InvoiceNotOpen({
        invoiceId: invoice.id,
        status: invoice.status,
        operation: "credit_note"
      })
    const lines = CreditNote.requestedLines(input)
    const amount = sum(lines.map((l) => l.amount))
    const available = invoice.total - creditTotal(account)
    if (amount > available)
      return yield* new CreditExceedsInvoiced({
        invoiceId: invoice.id,
        invoiceLine: null,
        requested: amount.toString(),
        available: available.toString()
      })
    const earlier = account.creditNotes.flatMap((c) => c.lines)
    const named = new Set(lines.flatMap((l) => (l.invoiceLine === null ? [] : [l.invoiceLine])))
    for (const position of named) {
      const line = invoice.lines.find((l) => l.position === position)
      if (line === undefined)
        return yield* new UnknownInvoiceLine({ invoiceId: invoice.id, invoiceLine: position })
      const onLine = (ls: ReadonlyArray<CreditNote.CreditNoteLine>) =>
        sum(ls.filter((l) => l.invoiceLine === position).map((l) => l.amount))
      const lineAvailable = line.amount - line.discount - onLine(earlier)
      const requested = onLine(lines)
      if (requested > lineAvailable)
        return yield* new CreditExceedsInvoiced({
          invoiceId: invoice.id,
          invoiceLine: position,
          requested: requested.toString(),
          available: (lineAvailable < 0n ? 0n : lineAvailable).toString()
        })
    }
    return { lines, amount }
  })

/** Checks that `amount` may go back to the customer: at most {@link refundable}. */
export const checkRefund = (account: Account, amount: bigint): Effect.Effect<void, RefundExceedsReceived> => {
  const available = refundable(account)
  return amount > available
    ? Effect.fail(
        new RefundExceedsReceived({
          invoiceId: account.invoice.id,
          requested: amount.toString(),
          refundable: available.toString()
        })
      )
    : Effect.void
}

/**
 * Issues a credit note: the part up to the amount due is credited (reducing it), the rest is a
 * refund of what was paid. The note states the tax it reverses ({@link CreditNoteTax.split}:
 * D'Hondt apportionment of the cumulative credit, from the invoice and the earlier notes' amounts).
 * The invoice is `paid` when nothing is left due, at the note's time, with its number as the
 * reference. With `refund`, the money already went back: the whole note is
 * refunded (nothing credited, the amount due unchanged), at most {@link refundable}.
 */
export const applyCreditNote = (
  account: Account,
  options: {
    readonly id: CreditNote.CreditNoteId
    readonly number: CreditNote.CreditNoteNumber
    readonly input: CreditNote.CreditNoteInput
    readonly at: DateTime.Utc
    readonly refund?: boolean
  }
): Effect.Effect<
  { readonly creditNote: CreditNote.CreditNote; readonly invoice: Invoice },
  | InvoiceNotOpen
  | CreditExceedsInvoiced
  | UnknownInvoiceLine
  | RefundExceedsReceived
  | InvoiceLifecycle.IllegalInvoiceTransition
> =>
  Effect.gen(function* () {
    const { invoice } = account
    const { lines, amount } = yield* checkCreditNote(account, options.input)
    if (options.refund === true) yield* checkRefund(account, amount)
    const due = amountDue(account)
    const creditedNow = options.refund === true ? 0n : amount < due ? amount : due
    const creditNote: CreditNote.CreditNote = {
      id: options.id,
      number: options.number,
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      currency: invoice.currency,
      reason: options.input.reason,
      lines,
      amount,
      credited: creditedNow,
      refunded: amount - creditedNow,
      ...CreditNoteTax.split(invoice, creditTotal(account), amount),
      issuedAt: options.at
    }
    const after =
      isOpen(invoice) && due - creditedNow === 0n
        ? yield* InvoiceLifecycle.markPaid(invoice, { at: options.at, reference: options.number })
        : invoice
    return { creditNote, invoice: after }
  })

/** The invoice with its payments, credit notes and amount due: what an API shows of an account. */
export const detail = (account: Account) => ({
  ...account.invoice,
  amountDue: amountDue(account),
  payments: account.payments,
  creditNotes: account.creditNotes
})
