/**
 * Per-customer pricing and invoices that explain themselves.
 *
 * - `customers.currency`: fixed at creation (USD for every existing customer). A trigger refuses
 *   any change, and invoices reference (customer, currency), so an invoice is always in its
 *   customer's one currency.
 * - `customers.terms`: the customer's negotiated prices, coupons and commitment (the core's
 *   `CustomerTerms`, as JSON; `{}` is list prices).
 * - `invoice_lines.precise_amount` and `breakdown`: each line's exact amount before rounding and
 *   the rows (bands, packages, transactions, adjustments) that add up to it. NULL on lines priced
 *   before they were kept; such invoices still read.
 * - `invoice_lines.kind` also allows `commitment` (a commitment's true-up line).
 * - `invoices.discount_lines`: each discount (coupons, then the volume discount). Existing invoices'
 *   discounts were all volume discounts and are recorded as one; a CHECK re-verifies that the
 *   lines add up to `discount`, as the other reconciliation CHECKs do.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 11,
  name: "pricing_terms",
  statements: [
    // The backfills below must see every tenant's rows: the owner bypasses row-level security
    // only while it is not forced (restored at the end, in the same transaction).
    stmt`ALTER TABLE customers NO FORCE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE invoices NO FORCE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE customers ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$')`,
    stmt`ALTER TABLE customers ADD COLUMN terms jsonb NOT NULL DEFAULT '{}'::jsonb
      CHECK (jsonb_typeof(terms) = 'object')`,
    // A deployment that billed in another currency keeps it: a customer's currency is the one of
    // its latest invoice.
    stmt`UPDATE customers AS c SET currency = latest.currency
      FROM (SELECT DISTINCT ON (customer_id) customer_id, currency FROM invoices
            ORDER BY customer_id, created_at DESC, id DESC) AS latest
      WHERE latest.customer_id = c.id AND latest.currency <> c.currency`,
    stmt`CREATE FUNCTION customers_currency_is_fixed() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        IF NEW.currency IS DISTINCT FROM OLD.currency THEN
          RAISE EXCEPTION 'a customer''s currency is fixed at creation'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customers_currency_fixed';
        END IF;
        RETURN NEW;
      END
      $fn$`,
    stmt`CREATE TRIGGER customers_currency_fixed BEFORE UPDATE OF currency ON customers
      FOR EACH ROW EXECUTE FUNCTION customers_currency_is_fixed()`,
    stmt`ALTER TABLE customers ADD CONSTRAINT customers_id_currency_key UNIQUE (id, currency)`,
    stmt`ALTER TABLE invoices ADD CONSTRAINT invoices_customer_currency_fkey
      FOREIGN KEY (customer_id, currency) REFERENCES customers (id, currency)`,

    stmt`ALTER TABLE invoice_lines ADD COLUMN precise_amount numeric`,
    stmt`ALTER TABLE invoice_lines ADD COLUMN breakdown jsonb
      CHECK (breakdown IS NULL OR jsonb_typeof(breakdown) = 'array')`,
    stmt`ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_kind_check`,
    stmt`ALTER TABLE invoice_lines ADD CONSTRAINT invoice_lines_kind_check
      CHECK (kind IN ('flat', 'usage', 'commitment'))`,

    stmt`ALTER TABLE invoices ADD COLUMN discount_lines jsonb NOT NULL DEFAULT '[]'::jsonb
      CHECK (jsonb_typeof(discount_lines) = 'array')`,
    stmt`UPDATE invoices SET discount_lines = jsonb_build_array(jsonb_build_object(
        'kind', 'volume', 'code', 'volume',
        'description', coalesce(discount_description, 'Volume discount'),
        'amount', discount::text))
      WHERE discount > 0`,
    stmt`CREATE FUNCTION invoice_discount_lines_total(p_lines jsonb) RETURNS numeric
      LANGUAGE sql IMMUTABLE
      AS $fn$ SELECT coalesce(sum((e ->> 'amount')::numeric), 0) FROM jsonb_array_elements(p_lines) AS e $fn$`,
    stmt`ALTER TABLE invoices ADD CONSTRAINT invoices_discount_lines_total
      CHECK (invoice_discount_lines_total(discount_lines) = discount)`,
    stmt`ALTER TABLE customers FORCE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE invoices FORCE ROW LEVEL SECURITY`
  ]
}
