/**
 * @securebase/core: the pure billing and tenancy domain. Imports only `effect`.
 *
 * ```ts
 * import { Invoicing, PriceBook, Usage } from "@securebase/core"
 * ```
 */

/** Volume discount rules. */
export * as Discount from "./billing/Discount.ts"
/** The invoice model and its reconciliation. */
export * as Invoice from "./billing/Invoice.ts"
/** The invoice state machine. */
export * as InvoiceLifecycle from "./billing/InvoiceLifecycle.ts"
/** Pricing a month into a draft invoice. */
export * as Invoicing from "./billing/Invoicing.ts"
/** Calendar-month billing periods. */
export * as Period from "./billing/Period.ts"
/** Price books as data. */
export * as PriceBook from "./billing/PriceBook.ts"
/** Pricing models: per-unit, package, graduated, volume, percentage. */
export * as PricingModel from "./billing/PricingModel.ts"
/** Tax policy, jurisdictions, exemptions. */
export * as Tax from "./billing/Tax.ts"
/** Tiers and the feature matrix. */
export * as Tier from "./billing/Tier.ts"
/** Customers (tenants). */
export * as Customer from "./customer/Customer.ts"
/** Branded identifiers. */
export * as Ids from "./Ids.ts"
/** Currencies and their minor units. */
export * as Currency from "./money/Currency.ts"
/** Exact decimals for prices, rates and quantities. */
export * as Decimal from "./money/Decimal.ts"
/** Money in minor units, the one rounding function, allocation. */
export * as Money from "./money/Money.ts"
/** Billable metrics and their aggregation kinds. */
export * as Metric from "./usage/Metric.ts"
/** Usage events and their aggregation. */
export * as Usage from "./usage/Usage.ts"
/** Plain-text invoice rendering. */
export * as InvoiceText from "./billing/InvoiceText.ts"
/** Compliance findings and per-framework status. */
export * as Compliance from "./compliance/Compliance.ts"
/** Support tickets and their response targets. */
export * as SupportTicket from "./support/SupportTicket.ts"
