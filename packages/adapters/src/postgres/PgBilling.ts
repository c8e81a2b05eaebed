/**
 * Every PostgreSQL adapter the billing run, the overdue sweep and the outbox sender need beyond
 * the repositories and tenancy: claims, batch reads and writes, invoice numbers, the outbox,
 * past-due invoices.
 */
import { Layer } from "effect"
import * as PgBillingBatch from "./PgBillingBatch.ts"
import * as PgBillingClaims from "./PgBillingClaims.ts"
import * as PgInvoiceNumbering from "./PgInvoiceNumbering.ts"
import * as PgOutbox from "./PgOutbox.ts"
import * as PgPastDueInvoices from "./PgPastDueInvoices.ts"

/** Claims, numbers, outbox and past-due invoices on the current `SqlClient`. */
export const layer = Layer.mergeAll(
  PgBillingBatch.layer,
  PgBillingClaims.layer,
  PgInvoiceNumbering.layer,
  PgOutbox.layer,
  PgPastDueInvoices.layer
)
