/**
 * Plans are data: a customer's plan (and an invoice's) is a plan code of the price book, not one
 * of four enum values.
 *
 * - `customers.tier` and `invoices.tier` (the `customer_tier` enum) become `plan` (text), checked
 *   against nothing but the plan code format (the core's `PriceBook.PlanCode`); which codes exist
 *   is the price book's to say, so adding a plan touches no migration. Existing values are kept.
 * - `tier_features` (a copy of the feature matrix the code never read) and `usage_metrics` (a
 *   table nothing wrote or read: usage is aggregated from `usage_events`) are dropped: a fact
 *   lives in one place, and a plan's entitlements live in the price book.
 * - The customer-change trigger watched `tier`; it is recreated to watch `plan` (PostgreSQL will
 *   not change the type of a column a trigger's condition uses).
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 12,
  name: "plan_codes",
  statements: [
    stmt`DROP TRIGGER customers_notify_change ON customers`,
    stmt`ALTER TABLE customers RENAME COLUMN tier TO plan`,
    stmt`ALTER TABLE customers ALTER COLUMN plan TYPE text USING plan::text`,
    stmt`ALTER TABLE customers ADD CONSTRAINT customers_plan_format CHECK (plan ~ '^[a-z][a-z0-9_-]{0,63}$')`,
    stmt`ALTER TABLE invoices RENAME COLUMN tier TO plan`,
    stmt`ALTER TABLE invoices ALTER COLUMN plan TYPE text USING plan::text`,
    stmt`ALTER TABLE invoices ADD CONSTRAINT invoices_plan_format CHECK (plan ~ '^[a-z][a-z0-9_-]{0,63}$')`,
    stmt`CREATE TRIGGER customers_notify_change AFTER UPDATE ON customers
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.plan IS DISTINCT FROM NEW.plan)
      EXECUTE FUNCTION app_notify_customer_change()`,
    stmt`DROP TABLE tier_features`,
    stmt`DROP TABLE usage_metrics`,
    stmt`DROP TYPE customer_tier`
  ]
}
