/**
 * Changing a customer's pricing terms (negotiated prices, coupons, commitment): the new terms are
 * stored and `customer.terms_changed` is appended to the audit log, in the caller's transaction
 * (run it inside `Tenancy.runAs(customer, …)`), so the change and its record commit together. The
 * database records the transaction's principal (`Tenancy.CurrentPrincipal`) as the actor.
 * The terms take effect from the next priced period; issued invoices never change.
 */
import { Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { CustomerTerms } from "../billing/CustomerTerms.ts"
import type { CustomerId } from "../Ids.ts"
import { CustomerRepo } from "./CustomerRepo.ts"

const encodeTerms = Schema.encodeSync(CustomerTerms)

/** Stores a customer's new terms and audits the change (old and new terms in the payload). */
export const changeTerms = Effect.fn("ChangeTerms.changeTerms")(function* (
  customerId: CustomerId,
  terms: CustomerTerms
) {
  const repo = yield* CustomerRepo
  const before = yield* repo.findById(customerId)
  const after = yield* repo.setTerms(customerId, terms)
  yield* AuditLog.use((a) =>
    a.append(
      new NewAuditEvent({
        customerId,
        action: "customer.terms_changed" as AuditAction,
        subjectType: "customer",
        subjectId: customerId,
        payload: { before: encodeTerms(before.terms) as never, after: encodeTerms(after.terms) as never }
      })
    )
  )
  return after
})
