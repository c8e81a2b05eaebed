/** Every migration, in order. Append new ones; never edit one that has been applied. */

import { migration as m0001 } from "./0001_schema.ts"
import { migration as m0002 } from "./0002_audit_trail.ts"
import { migration as m0003, tenantTables as tenantTablesOf0003 } from "./0003_row_level_security.ts"
import { migration as m0004 } from "./0004_tier_features.ts"
import { migration as m0005 } from "./0005_api_key_lookup.ts"
import { migration as m0006 } from "./0006_billing_run.ts"
import { migration as m0007 } from "./0007_usage_periods.ts"
import { migration as m0008 } from "./0008_revocation.ts"
import { migration as m0009 } from "./0009_usage_void.ts"
import { migration as m0010 } from "./0010_audit_anchor.ts"
import { migration as m0011 } from "./0011_pricing_terms.ts"
import { migration as m0012 } from "./0012_plan_codes.ts"
import { migration as m0013 } from "./0013_performance.ts"
import { migration as m0014 } from "./0014_operators.ts"
import { migration as m0015 } from "./0015_receivables.ts"
import { migration as m0017 } from "./0017_invoice_resends.ts"
import { migration as m0018 } from "./0018_payments.ts"
import { migration as m0019 } from "./0019_payment_effects.ts"
import { migration as m0020 } from "./0020_payment_subscriptions.ts"
import { migration as m0021 } from "./0021_push_notify.ts"
import { migration as m0022 } from "./0022_billable_usage.ts"
import { migration as m0023 } from "./0023_invoice_page.ts"
import { migration as m0024 } from "./0024_usage_ingest_triggers.ts"
import { migration as m0026 } from "./0026_notification_compression.ts"
import { migration as m0029 } from "./0029_payment_links.ts"
import { migration as m0030 } from "./0030_credit_note_tax.ts"
import { migration as m0031 } from "./0031_pending_refund_lookups.ts"
import type { Migration } from "./Migration.ts"

export type { Migration } from "./Migration.ts"

/** The tenant tables of the current schema and the column their policy filters on (0012 dropped `usage_metrics`). */
export const tenantTables = tenantTablesOf0003.filter((t) => t.table !== "usage_metrics")

/** The migrations of the schema, ordered by id. */
export const all: ReadonlyArray<Migration> = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0009,
  m0010,
  m0011,
  m0012,
  m0013,
  m0014,
  m0015,
  m0017,
  m0018,
  m0019,
  m0020,
  m0021,
  m0022,
  m0023,
  m0024,
  m0026,
  m0029,
  m0030,
  m0031
]
