/**
 * Voiding an invoice, as its customer, in one transaction: lock it, move it to `cancelled` with the
 * reason ({@link ./Receivables.ts}: not with money received on it), and append `invoice.voided`.
 * The number stays used: the invoice keeps it, so the invoice sequence has no gap.
 */
import { DateTime, Effect } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import { InvoiceRepo } from "./InvoiceRepo.ts"
import * as Receivables from "./Receivables.ts"
import { ReceivablesRepo } from "./ReceivablesRepo.ts"

/** Voids `invoiceId` of `customerId` for `reason`; returns its account after. */
export const voidInvoice = Effect.fn("VoidInvoice.voidInvoice")(function* (
  customerId: CustomerId,
  invoiceId: InvoiceId,
  reason: string
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const account = yield* ReceivablesRepo.use((r) => r.account(invoiceId, { lock: true }))
      const at = yield* DateTime.now
      const invoice = yield* Receivables.voidInvoice(account, { reason, at })
      yield* InvoiceRepo.use((r) => r.updateLifecycle(invoice))
      yield* AuditLog.use((a) =>
        a.append(
          new NewAuditEvent({
            customerId,
            action: "invoice.voided" as AuditAction,
            subjectType: "invoice",
            subjectId: invoiceId,
            payload: { number: invoice.number, reason, total: invoice.total.toString() }
          })
        )
      )
      return { ...account, invoice } satisfies Receivables.Account
    })
  )
})
