/**
 * Performance (issue 16).
 *
 * Indexes that let `GET /invoices` page in SQL with a keyset.
 *
 * The list is ordered newest period first, then by id (`ORDER BY period DESC, id`), and a page
 * starts after the cursor's (period, id). `invoices_customer_page_idx` serves that order for one
 * customer, and `invoices_customer_status_page_idx` the same order within one status, so a page
 * reads `limit + 1` index entries whatever the customer's history, with or without a status filter.
 *
 * A claim state between pending and done, `priced`, for the billing run's per-customer mode with
 * numbering in blocks: the customer's transaction stored its invoice as a draft (`invoice_id`),
 * and a later numbering transaction issues it with the next of a block of gap-free numbers.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 13,
  name: "performance",
  statements: [
    stmt`CREATE INDEX invoices_customer_page_idx ON invoices (customer_id, period DESC, id)`,
    stmt`CREATE INDEX invoices_customer_status_page_idx ON invoices (customer_id, status, period DESC, id)`,
    stmt`ALTER TABLE billing_claims DROP CONSTRAINT billing_claims_status_check`,
    stmt`ALTER TABLE billing_claims ADD CONSTRAINT billing_claims_status_check
      CHECK (status IN ('pending', 'priced', 'done', 'failed'))`,
    stmt`ALTER TABLE billing_claims ADD CONSTRAINT billing_claims_priced_invoice_check
      CHECK (status <> 'priced' OR invoice_id IS NOT NULL)`,
    stmt`CREATE INDEX billing_claims_priced_idx ON billing_claims (period, customer_id) WHERE status = 'priced'`
  ]
}
