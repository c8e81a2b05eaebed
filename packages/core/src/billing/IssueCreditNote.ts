/**
 * Issuing a credit note against an invoice, as its customer, in one transaction: lock the
 * invoice, check the note against what is still creditable, take the next gap-free `CN-` number
 * of the year (given back by a rollback), store the note, store the invoice `paid` when nothing is
 * left due, queue the credit note's e-mail to the customer's billing address (its PDF attached on
 * delivery), and append `credit_note.issued` (and `invoice.paid`) to the customer's audit chain.
 *
 * `issueIn` is the same inside a transaction the caller holds (the payments worker's, for a refund
 * the provider reports: `refund` makes the whole note refunded, see `Receivables.applyCreditNote`);
 * `issue` opens the customer's.
 */
import { DateTime, Effect } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import * as Ids from "../Ids.ts"
import * as CreditNoteMail from "../notifications/CreditNoteMail.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import type * as CreditNote from "./CreditNote.ts"
import { CreditNoteNumbers } from "./CreditNoteNumbers.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import * as Receivables from "./Receivables.ts"
import { ReceivablesRepo } from "./ReceivablesRepo.ts"
import * as RecordPayment from "./RecordPayment.ts"
import { CurrentSeller } from "./Seller.ts"

/** Issues a credit note for `input` against `invoiceId` of `customerId` in its own transaction. */
export const issue = Effect.fn("IssueCreditNote.issue")(function* (
  customerId: CustomerId,
  invoiceId: InvoiceId,
  input: CreditNote.CreditNoteInput
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    customerId,
    // Only a note issued as a refund is checked against what was received.
    issueIn(customerId, invoiceId, input).pipe(Effect.catchTag("RefundExceedsReceived", Effect.die))
  )
})

/** Issues a credit note for `input` against `invoiceId` of `customerId` in the caller's transaction. */
export const issueIn = (
  customerId: CustomerId,
  invoiceId: InvoiceId,
  input: CreditNote.CreditNoteInput,
  options: { readonly refund?: boolean } = {}
) =>
  Effect.gen(function* () {
    const repo = yield* ReceivablesRepo
    const account = yield* repo.account(invoiceId, { lock: true })
    // Checked before a number is taken, so a refused note does not even touch the sequence.
    const { amount } = yield* Receivables.checkCreditNote(account, input)
    if (options.refund === true) yield* Receivables.checkRefund(account, amount)
    const at = yield* DateTime.now
    const seller = yield* CurrentSeller
    const number = yield* CreditNoteNumbers.use((n) => n.next(DateTime.getPartUtc(at, "year")))
    const id = (yield* Ids.randomUuid) as CreditNote.CreditNoteId
    const { creditNote, invoice } = yield* Receivables.applyCreditNote(account, {
      id,
      number,
      input,
      at,
      ...(options.refund === true ? { refund: true } : {})
    })
    yield* repo.insertCreditNote(creditNote)
    if (invoice.status !== account.invoice.status) yield* InvoiceRepo.use((r) => r.updateLifecycle(invoice))
    const after: Receivables.Account = {
      ...account,
      invoice,
      creditNotes: [...account.creditNotes, creditNote]
    }
    // The e-mail commits with the note or not at all (the outbox is transactional).
    const customer = yield* CustomerRepo.use((r) => r.findById(customerId))
    const notificationId = yield* Notification.makeId
    yield* Outbox.use((o) =>
      o.enqueue({
        id: notificationId,
        customerId,
        channel: "email",
        template: "credit_note_issued",
        recipient: customer.email,
        ...CreditNoteMail.render(creditNote, invoice, customer, {
          amountDue: Receivables.amountDue(after),
          seller
        }),
        data: {
          invoiceId,
          invoiceNumber: invoice.number ?? "",
          creditNoteId: creditNote.id,
          creditNoteNumber: creditNote.number
        },
        createdAt: at
      })
    )
    const audit = yield* AuditLog
    yield* audit.append(
      new NewAuditEvent({
        customerId,
        action: "credit_note.issued" as AuditAction,
        subjectType: "credit_note",
        subjectId: creditNote.id,
        payload: {
          number: creditNote.number,
          invoiceId,
          invoiceNumber: invoice.number,
          reason: creditNote.reason,
          amount: creditNote.amount.toString(),
          // The tax it reverses (a note issued here always states its split).
          tax: (creditNote.tax ?? 0n).toString(),
          credited: creditNote.credited.toString(),
          refunded: creditNote.refunded.toString(),
          amountDue: Receivables.amountDue(after).toString()
        }
      })
    )
    yield* RecordPayment.auditSettled(account.invoice, invoice, {
      by: "credit_note",
      creditNoteId: creditNote.id
    })
    return { creditNote, account: after }
  }).pipe(Effect.withSpan("IssueCreditNote.issueIn"))
