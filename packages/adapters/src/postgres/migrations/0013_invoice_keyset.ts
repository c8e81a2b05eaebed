/**
 * Performance (issue 16): indexes that let `GET /invoices` page in SQL with a keyset.
 *
 * The list is ordered newest period first, then by id (`ORDER BY period DESC, id`), and a page
 * starts after the cursor's (period, id). `invoices_customer_page_idx` serves that order for one
 * customer, and `invoices_customer_status_page_idx` the same order within one status, so a page
 * reads `limit + 1` index entries whatever the customer's history, with or without a status filter.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 13,
  name: "invoice_keyset",
  statements: [
    stmt`CREATE INDEX invoices_customer_page_idx ON invoices (customer_id, period DESC, id)`,
    stmt`CREATE INDEX invoices_customer_status_page_idx ON invoices (customer_id, status, period DESC, id)`
  ]
}
