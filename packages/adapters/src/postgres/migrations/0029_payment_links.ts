/**
 * Refunds of invoices paid on the provider's hosted page (issue 14 follow-up). With Stripe's
 * current API a charge names no invoice, and a charge paid on the hosted invoice page carries no
 * metadata of ours: Stripe's `invoice_payment.paid` is what ties the invoice to its payment.
 *
 * - `payment_links`: the provider payment (Stripe's PaymentIntent, or the charge when it has none)
 *   that paid one of our invoices, recorded once, by the `invoice_payment.paid` event that reported
 *   it (a payment is linked to one invoice: the primary key). `charge.refunded` follows it from the
 *   charge's payment intent to our invoice.
 * - `payment_pending_refunds`: a `charge.refunded` of a customer of ours that arrived before the
 *   link (Stripe does not order its events): its facts wait here, the event id already recorded,
 *   and the `invoice_payment.paid` that links the payment credits them and deletes them in its own
 *   transaction, so each is credited once.
 *
 * Both are tenant tables like `payment_refunds` (0019): the application role reads its own rows,
 * the payments worker reads and writes every customer's.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenantPredicate = "customer_id = (SELECT app_current_customer_id())"

const tenantTable = (table: string, workerGrants: string) => [
  `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
  `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON ${table} USING (${tenantPredicate}) WITH CHECK (${tenantPredicate})`,
  `CREATE POLICY worker_all_tenants ON ${table} TO ${Roles.worker} USING (true) WITH CHECK (true)`,
  `GRANT ${workerGrants} ON ${table} TO ${Roles.worker}`,
  `GRANT SELECT ON ${table} TO ${Roles.app}`
]

export const migration: Migration = {
  id: 29,
  name: "payment_links",
  statements: [
    stmt`CREATE TABLE payment_links (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      provider_payment_id text NOT NULL CHECK (length(provider_payment_id) BETWEEN 1 AND 255),
      customer_id uuid NOT NULL REFERENCES customers (id),
      invoice_id uuid NOT NULL,
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      PRIMARY KEY (provider, provider_payment_id),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id)
    )`,
    stmt`CREATE INDEX payment_links_customer_idx ON payment_links (customer_id, invoice_id)`,
    ...tenantTable("payment_links", "SELECT, INSERT"),

    stmt`CREATE TABLE payment_pending_refunds (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      provider_payment_id text NOT NULL CHECK (length(provider_payment_id) BETWEEN 1 AND 255),
      provider_charge_id text NOT NULL CHECK (length(provider_charge_id) BETWEEN 1 AND 255),
      customer_id uuid NOT NULL REFERENCES customers (id),
      amount bigint NOT NULL CHECK (amount > 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      refunds jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(refunds) = 'array'),
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (provider, event_id)
    )`,
    stmt`CREATE INDEX payment_pending_refunds_payment_idx ON payment_pending_refunds (provider, provider_payment_id)`,
    stmt`CREATE INDEX payment_pending_refunds_customer_idx ON payment_pending_refunds (customer_id)`,
    ...tenantTable("payment_pending_refunds", "SELECT, INSERT, DELETE")
  ]
}
