/**
 * The dunning sweep (part of the daily job): for every open invoice past due by at least the
 * policy's first step, in the worker's transaction, the steps due now ({@link ./Dunning.ts}),
 * each recorded once, queued as an e-mail in the outbox and appended to the customer's audit
 * chain (`invoice.dunning_reminder`, `invoice.dunning_suspension`), all in one transaction with
 * the invoice locked. A suspension sets an active customer `suspended`, which stops its keys and
 * sessions at their next request (the tenant transaction refuses an inactive customer).
 * Invoices with nothing left due (settled by credit notes, say) are passed over.
 */
import { DateTime, Effect } from "effect"
import { type AuditAction, NewAuditEvent, type WorkerAction } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { InvoiceId } from "../Ids.ts"
import * as InvoiceMail from "../notifications/InvoiceMail.ts"
import * as Notification from "../notifications/Notification.ts"
import { Outbox } from "../notifications/Outbox.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import * as Dunning from "./Dunning.ts"
import { DunningSteps } from "./DunningSteps.ts"
import * as Receivables from "./Receivables.ts"
import { ReceivablesRepo } from "./ReceivablesRepo.ts"

/** What a sweep did. */
export interface DunningSummary {
  readonly reminders: number
  readonly suspensions: number
}

const template = { reminder: "dunning_reminder", suspension: "account_suspended" } as const
const action = {
  reminder: "invoice.dunning_reminder",
  suspension: "invoice.dunning_suspension"
} as const satisfies Record<Dunning.StepKind, WorkerAction>

/** Takes every dunning step due at the current time; returns how many of each. */
export const sweep = Effect.fn("DunningSweep.sweep")(function* (
  options: { readonly batchSize?: number } = {}
) {
  const policy = yield* Dunning.Schedule
  const first = Dunning.firstDays(policy)
  if (first === null) return { reminders: 0, suspensions: 0 } satisfies DunningSummary
  const tenancy = yield* Tenancy
  const batchSize = options.batchSize ?? 100
  let reminders = 0
  let suspensions = 0
  let after: InvoiceId | null = null
  while (true) {
    const at = yield* DateTime.now
    const ids: ReadonlyArray<InvoiceId> = yield* tenancy.runAsWorker(
      Effect.gen(function* () {
        const claimed = yield* DunningSteps.use((d) => d.claim({ at, days: first, after, limit: batchSize }))
        for (const id of claimed) {
          const account = yield* ReceivablesRepo.use((r) => r.account(id, { lock: false }))
          const due = Receivables.amountDue(account)
          if (due <= 0n) continue
          const { invoice } = account
          const daysPastDue = Dunning.daysPastDue(invoice, at)
          const taken = yield* DunningSteps.use((d) => d.taken(id))
          for (const step of Dunning.dueSteps(policy, daysPastDue, taken)) {
            const customer = yield* CustomerRepo.use((r) => r.findById(invoice.customerId))
            const suspend = step.kind === "suspension" && customer.status === "active"
            // A customer already suspended or closed gets no second letter about it.
            const notify = step.kind === "reminder" || suspend
            const notificationId = notify ? yield* Notification.makeId : null
            const recorded = yield* DunningSteps.use((d) =>
              d.record({ ...step, customerId: customer.id, invoiceId: id, daysPastDue, notificationId, at })
            )
            if (!recorded) continue
            if (suspend) yield* CustomerRepo.use((r) => r.setStatus(customer.id, "suspended"))
            const mail = { amountDue: due, daysPastDue }
            if (notificationId !== null)
              yield* Outbox.use((o) =>
                o.enqueue({
                  id: notificationId,
                  customerId: customer.id,
                  channel: "email",
                  template: template[step.kind],
                  recipient: customer.email,
                  ...(step.kind === "reminder"
                    ? InvoiceMail.reminder(invoice, customer, mail)
                    : InvoiceMail.suspended(invoice, customer, mail)),
                  data: {
                    invoiceId: id,
                    invoiceNumber: invoice.number ?? "",
                    daysPastDue: String(daysPastDue)
                  },
                  createdAt: at
                })
              )
            yield* AuditLog.use((a) =>
              a.append(
                new NewAuditEvent({
                  customerId: customer.id,
                  action: action[step.kind] as AuditAction,
                  subjectType: "invoice",
                  subjectId: id,
                  payload: {
                    number: invoice.number,
                    days: step.days,
                    daysPastDue,
                    amountDue: due.toString(),
                    notificationId,
                    ...(step.kind === "suspension"
                      ? { customerStatus: suspend ? "suspended" : customer.status }
                      : {})
                  }
                })
              )
            )
            if (step.kind === "reminder") reminders += 1
            else suspensions += 1
          }
        }
        return claimed
      })
    )
    if (ids.length < batchSize) return { reminders, suspensions } satisfies DunningSummary
    after = ids.at(-1)!
  }
})
