/**
 * Price books as data, validated by a Schema: a currency, the named rounding mode, the volume
 * discount rule, and the catalogue: plans keyed by a plan code (data, not a closed list), each with
 * a name, its entitlements and its charges (a flat monthly fee and usage charges, each usage
 * charge with an included quantity and a pricing model). All prices are exact decimals in major
 * units (`"2000"`, `"0.0004"`); rates are fractions (`"0.05"` is 5%).
 */
import { BigDecimal, Effect, JsonSchema, Schema } from "effect"
import { PriceBookId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"
import * as Decimal from "../money/Decimal.ts"
import { NonNegativeDecimal } from "../money/Decimal.ts"
import { RoundingMode } from "../money/Money.ts"
import * as Metric from "../usage/Metric.ts"
import { MetricCode } from "../usage/Metric.ts"
import * as Discount from "./Discount.ts"
import { DiscountRule } from "./Discount.ts"
import * as EntitlementsModule from "./Entitlements.ts"
import { Entitlements } from "./Entitlements.ts"
import * as PricingModelModule from "./PricingModel.ts"
import { PricingModel } from "./PricingModel.ts"

const planCodePattern = /^[a-z][a-z0-9_-]{0,63}$/u

/**
 * A plan code such as `standard` or `pro`: lower-case letters, digits, `-` and `_`, starting with
 * a letter, at most 64 characters. Plans are data: any code the price book defines is a plan.
 */
export const PlanCode = Schema.String.check(
  Schema.isPattern(planCodePattern, { message: "expected a plan code such as standard or pro" })
).annotate({ identifier: "PlanCode" })
export type PlanCode = typeof PlanCode.Type

/** A charge code, unique within a plan, such as `platform` or `api_calls_overage`. */
export const ChargeCode = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_]{0,62}$/u, { message: "expected a charge code such as platform" })
)
export type ChargeCode = typeof ChargeCode.Type

/** A fixed amount every period (the plan's base price). */
export const FlatCharge = Schema.TaggedStruct("Flat", {
  code: ChargeCode,
  description: Schema.NonEmptyString,
  amount: NonNegativeDecimal
})
export type FlatCharge = typeof FlatCharge.Type

/**
 * A charge on a metric: the first `included` units are free and the rest (the billable units) are
 * priced by `model`; a graduated or volume model's bands count billable units, not raw usage.
 */
export const UsageCharge = Schema.TaggedStruct("Usage", {
  code: ChargeCode,
  description: Schema.NonEmptyString,
  metric: MetricCode,
  included: NonNegativeDecimal,
  model: PricingModel
}).check(
  Schema.makeFilter(
    (c: { readonly included: BigDecimal.BigDecimal; readonly model: PricingModel }) =>
      !PricingModelModule.isPerTransaction(c.model) ||
      BigDecimal.isZero(c.included) ||
      "a charge priced per transaction has no included quantity (use freeAmount or freeTransactions)"
  )
)
export type UsageCharge = typeof UsageCharge.Type

/** A charge of a plan. */
export const Charge = Schema.Union([FlatCharge, UsageCharge])
export type Charge = typeof Charge.Type

const uniqueChargeCodes = Schema.makeFilter((plan: { charges: ReadonlyArray<{ code: string }> }) => {
  const codes = plan.charges.map((c) => c.code)
  return new Set(codes).size === codes.length || "charge codes must be unique within a plan"
})

/** What is priced: charges in invoice order (a book's plan, or a customer's negotiated plan). */
export const Plan = Schema.Struct({ charges: Schema.NonEmptyArray(Charge) }).check(uniqueChargeCodes)
export type Plan = typeof Plan.Type

/** A plan of the catalogue: its name, its entitlements and its charges. */
export const CatalogPlan = Schema.Struct({
  name: Schema.NonEmptyString,
  entitlements: Entitlements,
  charges: Schema.NonEmptyArray(Charge)
})
  .check(uniqueChargeCodes)
  .annotate({ identifier: "CatalogPlan" })
export type CatalogPlan = typeof CatalogPlan.Type

/** A price book. */
export const PriceBook = Schema.Struct({
  id: PriceBookId,
  name: Schema.NonEmptyString,
  currency: Currency,
  rounding: RoundingMode,
  discount: DiscountRule,
  /**
   * The catalogue: every plan a customer may be on, by plan code. Keys are checked here rather than
   * by a keyed Record, which would drop a key it refuses instead of reporting it.
   */
  plans: Schema.Record(Schema.String, CatalogPlan).check(
    Schema.makeFilter((plans: object) => {
      const codes = Object.keys(plans)
      if (codes.length === 0) return "a price book needs at least one plan"
      const bad = codes.find((code) => !planCodePattern.test(code))
      return bad === undefined || `expected a plan code such as standard or pro, got ${JSON.stringify(bad)}`
    })
  )
}).annotate({ identifier: "PriceBook" })
export type PriceBook = typeof PriceBook.Type

/** A customer's plan code is not in the price book (a typed error, never a crash). */
export class UnknownPlan extends Schema.TaggedError<UnknownPlan>()("UnknownPlan", {
  plan: Schema.String,
  priceBookId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PRICING.UNKNOWN_PLAN"
  override get message(): string {
    return `the price book ${this.priceBookId} has no plan ${this.plan}`
  }
}

/** Where the published JSON Schema of a price book lives (its `$id`). */
export const jsonSchemaId = "https://securebase.dev/schemas/price-book.schema.json"

/**
 * The JSON Schema (draft 2020-12) of a price book's JSON form, generated from the Schema, so an
 * editor validates a book as it is written (decimals as strings with their patterns, rates as
 * fractions, `upTo: null` for the last band). The Schema stays the final judge: `decode` also
 * checks what JSON Schema cannot say (band limits increasing, unique charge codes, ...).
 * `packages/core/schema/price-book.schema.json` is this, written by
 * `npm run schema:price-book`.
 */
export const jsonSchema = (): Record<string, unknown> => {
  const document = Schema.toJsonSchemaDocument(PriceBook)
  // The plans' keys are checked by a filter (see `PriceBook.plans`), which JSON Schema cannot see:
  // say it in JSON Schema's own words so an editor flags a bad plan code too.
  const definitions = document.definitions as Record<string, { properties?: Record<string, object> }>
  const book = definitions.PriceBook
  if (book?.properties?.plans !== undefined) {
    book.properties.plans = {
      ...book.properties.plans,
      description: "The plans by plan code (lower-case letters, digits, - and _, starting with a letter).",
      propertyNames: { pattern: planCodePattern.source },
      minProperties: 1
    }
  }
  return {
    $schema: JsonSchema.META_SCHEMA_URI_DRAFT_2020_12,
    $id: jsonSchemaId,
    title: "SecureBase price book",
    description:
      "A price book: a currency, a named rounding mode, a volume discount rule and its plans keyed by plan code, each with a name, entitlements and charges. Prices are exact decimals written as strings in major units; rates are fractions, never percentages (0.08 is 8%, 0.013 is 1.3%).",
    ...document.schema,
    $defs: document.definitions
  }
}

/** Decodes a price book from JSON-shaped data, with errors that name the offending field. */
export const decode = Schema.decodeUnknownEffect(PriceBook)

/** The plan codes of a book, in the book's order. */
export const planCodes = (book: PriceBook): ReadonlyArray<PlanCode> => Object.keys(book.plans)

/** The book's plan of a code, or `UnknownPlan`. */
export const plan = (book: PriceBook, code: string): Effect.Effect<CatalogPlan, UnknownPlan> =>
  Object.hasOwn(book.plans, code)
    ? Effect.succeed(book.plans[code]!)
    : Effect.fail(new UnknownPlan({ plan: code, priceBookId: book.id }))

/** The flat base price of a plan (the sum of its flat charges), in major units. */
export const basePriceOf = (plan: Plan): Decimal.Decimal =>
  plan.charges
    .filter((c): c is FlatCharge => c._tag === "Flat")
    .reduce((acc, c) => Decimal.add(acc, c.amount), Decimal.zero)

/** The flat base price of a book's plan, or `UnknownPlan`. */
export const basePrice = (book: PriceBook, code: string): Effect.Effect<Decimal.Decimal, UnknownPlan> =>
  Effect.map(plan(book, code), basePriceOf)

/** The book with another volume discount rule. */
export const withDiscount = (book: PriceBook, discount: DiscountRule): PriceBook => ({ ...book, discount })

/** The book with another rounding mode. */
export const withRounding = (book: PriceBook, rounding: RoundingMode): PriceBook => ({ ...book, rounding })

/** The book in another currency: the same decimal prices, read as major units of `currency`. */
export const withCurrency = (book: PriceBook, currency: Currency): PriceBook => ({ ...book, currency })

/** The book under another id and name (a new version of a book is a new book). */
export const withId = (book: PriceBook, id: PriceBookId, name: string = book.name): PriceBook => ({
  ...book,
  id,
  name
})

/** The book with `plan` under `code`: a new plan of the catalogue, or replacing the one it had. */
export const withPlan = (book: PriceBook, code: PlanCode, plan: CatalogPlan): PriceBook => ({
  ...book,
  plans: { ...book.plans, [code]: plan }
})

/** The book without the plan `code` (unchanged when it has none). */
export const withoutPlan = (book: PriceBook, code: PlanCode): PriceBook => ({
  ...book,
  plans: Object.fromEntries(Object.entries(book.plans).filter(([c]) => c !== code))
})

/**
 * The book with `charge` in the plan `code`: replacing the charge of the same code, else added
 * last; `UnknownPlan` when the book has no such plan.
 */
export const withCharge = (
  book: PriceBook,
  code: PlanCode,
  charge: Charge
): Effect.Effect<PriceBook, UnknownPlan> =>
  Effect.map(plan(book, code), (current) => {
    const charges = current.charges
    const i = charges.findIndex((c) => c.code === charge.code)
    const next = i < 0 ? [...charges, charge] : charges.map((c, j) => (j === i ? charge : c))
    return withPlan(book, code, { ...current, charges: next as unknown as Plan["charges"] })
  })

const d = Decimal.unsafe
const platform = (amount: string): FlatCharge => ({
  _tag: "Flat",
  code: "platform",
  description: "Platform subscription",
  amount: d(amount)
})
const usage = (
  code: string,
  description: string,
  metric: keyof typeof Metric.defaults,
  included: string,
  model: PricingModel
): UsageCharge => ({
  _tag: "Usage",
  code,
  description,
  metric: Metric.code(metric),
  included: d(included),
  model
})

const tierPlan = (name: string, entitlements: Entitlements, charges: ReadonlyArray<Charge>): CatalogPlan => ({
  name,
  entitlements,
  charges: charges as unknown as CatalogPlan["charges"]
})

/**
 * The reference card's price book, the default catalogue: its four tiers (standard, fintech,
 * healthcare, gov-federal) are plans like any other, with the entitlements of the card. Base prices $2,000 / $8,000 / $15,000 / $25,000 a month, the
 * capped 5%-over-$5,000 volume discount, half-up rounding to the cent, and overage charges on the
 * card's usage metrics above generous included quantities (so a customer within its tier's
 * allowance pays exactly the base price). Every charge is monotone (per-unit, package or
 * graduated), so more usage of any metric never lowers a bill (`PriceBookLaws.check` verifies it).
 */
export const referenceCard = {
  id: "securebase-2026" as PriceBookId,
  name: "SecureBase list prices 2026",
  currency: "USD",
  rounding: "half-up",
  discount: Discount.referenceCard,
  plans: {
    standard: tierPlan("Standard", EntitlementsModule.referenceCard["standard"], [
      platform("2000"),
      usage("api_calls", "API calls", "api_calls", "1000000", {
        _tag: "Graduated",
        bands: [
          { upTo: d("10000000"), unitPrice: d("0.0004") },
          { upTo: null, unitPrice: d("0.0002") }
        ]
      }),
      usage("accounts", "Managed accounts", "accounts", "10", { _tag: "PerUnit", unitPrice: d("150") }),
      usage("storage", "Evidence storage", "storage_gb", "100", { _tag: "PerUnit", unitPrice: d("0.25") }),
      usage("data_transfer", "Data transfer", "data_transfer_gb", "500", {
        _tag: "PerUnit",
        unitPrice: d("0.09")
      }),
      usage("scans", "Compliance scans", "compliance_scans", "100", {
        _tag: "Package",
        size: d("100"),
        price: d("50")
      }),
      usage("log_archive", "Audit log archive", "log_archive_gb", "50", {
        _tag: "PerUnit",
        unitPrice: d("0.03")
      })
    ]),
    fintech: tierPlan("Fintech", EntitlementsModule.referenceCard["fintech"], [
      platform("8000"),
      usage("api_calls", "API calls", "api_calls", "5000000", {
        _tag: "Graduated",
        bands: [
          { upTo: d("50000000"), unitPrice: d("0.0003") },
          { upTo: null, unitPrice: d("0.00015") }
        ]
      }),
      usage("accounts", "Managed accounts", "accounts", "50", { _tag: "PerUnit", unitPrice: d("120") }),
      usage("storage", "Evidence storage", "storage_gb", "500", { _tag: "PerUnit", unitPrice: d("0.25") }),
      usage("data_transfer", "Data transfer", "data_transfer_gb", "2000", {
        _tag: "PerUnit",
        unitPrice: d("0.08")
      }),
      usage("scans", "Compliance scans", "compliance_scans", "1000", {
        _tag: "Package",
        size: d("100"),
        price: d("40")
      }),
      usage("log_archive", "Audit log archive", "log_archive_gb", "250", {
        _tag: "PerUnit",
        unitPrice: d("0.03")
      })
    ]),
    healthcare: tierPlan("Healthcare", EntitlementsModule.referenceCard["healthcare"], [
      platform("15000"),
      usage("api_calls", "API calls", "api_calls", "10000000", {
        _tag: "Graduated",
        bands: [
          { upTo: d("100000000"), unitPrice: d("0.00025") },
          { upTo: null, unitPrice: d("0.0001") }
        ]
      }),
      usage("accounts", "Managed accounts", "accounts", "100", { _tag: "PerUnit", unitPrice: d("100") }),
      usage("storage", "Evidence storage", "storage_gb", "1000", { _tag: "PerUnit", unitPrice: d("0.25") }),
      usage("data_transfer", "Data transfer", "data_transfer_gb", "5000", {
        _tag: "PerUnit",
        unitPrice: d("0.07")
      }),
      usage("scans", "Compliance scans", "compliance_scans", "2000", {
        _tag: "Package",
        size: d("100"),
        price: d("35")
      }),
      usage("log_archive", "Audit log archive", "log_archive_gb", "500", {
        _tag: "PerUnit",
        unitPrice: d("0.03")
      })
    ]),
    "gov-federal": tierPlan("Gov-Federal", EntitlementsModule.referenceCard["gov-federal"], [
      platform("25000"),
      // Graduated, not Volume: under Volume, 120,000,001 calls (every billable call at the
      // $0.00015 band) cost $5,000 less than 120,000,000 (all at $0.0002). Graduated keeps the
      // same band prices and never charges more usage less.
      usage("api_calls", "API calls", "api_calls", "20000000", {
        _tag: "Graduated",
        bands: [
          { upTo: d("100000000"), unitPrice: d("0.0002") },
          { upTo: null, unitPrice: d("0.00015") }
        ]
      }),
      usage("accounts", "Managed accounts", "accounts", "250", { _tag: "PerUnit", unitPrice: d("90") }),
      usage("storage", "Evidence storage", "storage_gb", "2000", { _tag: "PerUnit", unitPrice: d("0.30") }),
      usage("data_transfer", "Data transfer", "data_transfer_gb", "10000", {
        _tag: "PerUnit",
        unitPrice: d("0.06")
      }),
      usage("scans", "Compliance scans", "compliance_scans", "5000", {
        _tag: "Package",
        size: d("100"),
        price: d("30")
      }),
      usage("log_archive", "Audit log archive", "log_archive_gb", "1000", {
        _tag: "PerUnit",
        unitPrice: d("0.03")
      })
    ])
  }
} satisfies PriceBook
