/**
 * Every PostgreSQL adapter the billing run, the overdue and dunning sweeps and the outbox sender
 * need beyond the repositories and tenancy: the usage to bill (under its period's lock), claims,
 * batch writes, invoice numbers, the outbox, past-due invoices, dunning steps and receivables.
 */
import { Layer } from "effect"
import * as PgBillableUsage from "./PgBillableUsage.ts"
import * as PgBillingBatch from "./PgBillingBatch.ts"
import * as PgBillingClaims from "./PgBillingClaims.ts"
import * as PgDunningSteps from "./PgDunningSteps.ts"
import * as PgInvoiceNumbers from "./PgInvoiceNumbers.ts"
import * as PgOutbox from "./PgOutbox.ts"
import * as PgPastDueInvoices from "./PgPastDueInvoices.ts"
import * as PgReceivablesRepo from "./PgReceivablesRepo.ts"

/** Billable usage, claims, batches, numbers, outbox, past-due invoices, dunning and receivables on the current `SqlClient`. */
export const layer = Layer.mergeAll(
  PgBillableUsage.layer,
  PgBillingBatch.layer,
  PgBillingClaims.layer,
  PgInvoiceNumbers.layer,
  PgOutbox.layer,
  PgPastDueInvoices.layer,
  PgDunningSteps.layer,
  PgReceivablesRepo.layer
)
