/** Real domain values for the PostgreSQL suites, built with the core's own functions. */
import {
  Customer,
  Ids,
  type Invoice,
  Invoicing,
  Metric,
  Period,
  PriceBook,
  Tax,
  type Tenancy,
  Usage
} from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import type { SqlClient } from "effect/sql"
import * as PgAuditLog from "../../../src/postgres/PgAuditLog.ts"
import * as PgCustomerRepo from "../../../src/postgres/PgCustomerRepo.ts"
import * as PgInvoiceRepo from "../../../src/postgres/PgInvoiceRepo.ts"
import * as PgTenancy from "../../../src/postgres/PgTenancy.ts"
import * as PgUsageEventRepo from "../../../src/postgres/PgUsageEventRepo.ts"

/** A fresh customer id. */
export const customerId = (): Ids.CustomerId => Schema.decodeSync(Ids.CustomerId)(crypto.randomUUID())

/** A fresh invoice id. */
export const invoiceId = (): Ids.InvoiceId => Schema.decodeSync(Ids.InvoiceId)(crypto.randomUUID())

/** An active fintech-plan customer. */
export const customer = (id: Ids.CustomerId = customerId(), name = "Acme Corp"): Customer.Customer =>
  new Customer.Customer({
    id,
    name,
    email: "billing@acme.test",
    plan: "fintech",
    status: "active",
    taxProfile: { jurisdiction: "US" },
    netDays: 30
  })

/** A fixed instant, so stored timestamps are comparable. */
export const at = DateTime.makeUnsafe("2026-10-15T12:34:56.789Z")

/** A usage event of a customer. */
export const usageEvent = (
  customerId: Ids.CustomerId,
  id: string,
  quantity = "1250.5",
  occurredAt: DateTime.Utc = at
): Usage.UsageEvent =>
  new Usage.UsageEvent({
    id: Schema.decodeSync(Ids.UsageEventId)(id),
    customerId,
    metric: Metric.code("api_calls"),
    occurredAt,
    quantity: Schema.decodeSync(Usage.UsageEvent.fields.quantity)(quantity)
  })

/** A priced draft invoice of the reference card for a customer's October 2026. */
export const draftInvoice = (
  customerId: Ids.CustomerId,
  period = "2026-10"
): Effect.Effect<Invoice.Invoice> =>
  Effect.flatMap(
    Usage.metrics(Metric.defaultCatalog, {
      api_calls: "1200000",
      accounts: "12",
      storage_gb: "310.25",
      data_transfer_gb: "42.5",
      compliance_scans: "30",
      log_archive_gb: "7"
    }),
    (usage) =>
      Invoicing.priceInvoice({
        invoiceId: invoiceId(),
        customerId,
        plan: "fintech",
        taxProfile: { jurisdiction: "US" },
        period: Schema.decodeSync(Period.Period)(period),
        priceBook: PriceBook.referenceCard,
        taxRules: Tax.referenceCard,
        usage,
        createdAt: at
      })
  ).pipe(Effect.orDie)

/** Every PostgreSQL adapter of this package over the current `SqlClient`. */
export const adapters: Layer.Layer<
  | Tenancy.Tenancy
  | PgCustomerRepoService
  | PgInvoiceRepoService
  | PgUsageEventRepoService
  | PgAuditLogService,
  never,
  SqlClient.SqlClient
> = Layer.mergeAll(
  PgTenancy.layer,
  PgCustomerRepo.layer,
  PgInvoiceRepo.layer,
  PgUsageEventRepo.layer,
  PgAuditLog.layer
)

type PgCustomerRepoService = Layer.Success<typeof PgCustomerRepo.layer>
type PgInvoiceRepoService = Layer.Success<typeof PgInvoiceRepo.layer>
type PgUsageEventRepoService = Layer.Success<typeof PgUsageEventRepo.layer>
type PgAuditLogService = Layer.Success<typeof PgAuditLog.layer>
