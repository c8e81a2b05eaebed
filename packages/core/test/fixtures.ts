/** Shared fixtures for the core tests: ids, a fixed instant, and a one-call invoice pricer. */
import { DateTime, Effect } from "effect"
import type { Ids } from "../src/index.ts"
import { Invoicing, Metric, PriceBook, Tax, Usage } from "../src/index.ts"

export const invoiceId = "0b7c2a4e-3f1d-4c55-9a1e-000000000001" as Ids.InvoiceId
export const customerId = "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId
export const otherCustomerId = "0b7c2a4e-3f1d-4c55-9a1e-0000000000c2" as Ids.CustomerId
export const createdAt = DateTime.makeUnsafe("2026-11-01T00:00:00Z")

/** Prices one month of the reference card for a plan and literal metric figures. */
export const priceReference = (
  plan: keyof typeof PriceBook.referenceCard.plans,
  figures: Partial<Record<keyof typeof Metric.defaults, string>> = {},
  taxProfile: Tax.TaxProfile = {},
  overrides: Partial<Invoicing.PriceInvoiceInput> = {}
) =>
  Effect.flatMap(Usage.metrics(Metric.defaultCatalog, figures), (usage) =>
    Invoicing.priceInvoice({
      invoiceId,
      customerId,
      plan,
      taxProfile,
      period: "2026-10" as Parameters<typeof Invoicing.priceInvoice>[0]["period"],
      priceBook: PriceBook.referenceCard,
      taxRules: Tax.referenceCard,
      usage,
      createdAt,
      ...overrides
    })
  )

/** The same, run synchronously (pricing is pure). */
export const priceReferenceSync = (...args: Parameters<typeof priceReference>) =>
  Effect.runSync(priceReference(...args))
