/**
 * Tax policy as data: jurisdictions with one or more rated components (state + county, say), a
 * default jurisdiction, and per-customer tax profiles that may carry an exemption (many US federal
 * buyers are exempt). Each component is computed on the discounted subtotal and rounded on its own
 * by the named mode, so the tax lines printed on an invoice add up to its tax.
 */
import { BigDecimal, Effect, Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import * as Decimal from "../money/Decimal.ts"
import { Rate } from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"

/** A jurisdiction code such as `US` or `US-CA`. */
export const JurisdictionCode = Schema.String.check(
  Schema.isPattern(/^[A-Z]{2}(-[A-Z0-9]{1,8})*$/, {
    message: "expected a jurisdiction code such as US or US-CA"
  })
)
export type JurisdictionCode = typeof JurisdictionCode.Type

/** One rated component of a jurisdiction's tax. */
export const TaxComponent = Schema.Struct({ name: Schema.NonEmptyString, rate: Rate })
export type TaxComponent = typeof TaxComponent.Type

/** A jurisdiction and its components. */
export const Jurisdiction = Schema.Struct({
  code: JurisdictionCode,
  name: Schema.NonEmptyString,
  components: Schema.NonEmptyArray(TaxComponent)
})
export type Jurisdiction = typeof Jurisdiction.Type

/** The tax policy: jurisdictions and the one used when a customer names none. */
export const TaxRules = Schema.Struct({
  defaultJurisdiction: JurisdictionCode,
  jurisdictions: Schema.NonEmptyArray(Jurisdiction)
}).check(
  Schema.makeFilter((p: { defaultJurisdiction: string; jurisdictions: ReadonlyArray<{ code: string }> }) => {
    const codes = p.jurisdictions.map((j) => j.code)
    if (new Set(codes).size !== codes.length) return "jurisdiction codes must be unique"
    if (!codes.includes(p.defaultJurisdiction))
      return "the default jurisdiction must be one of the jurisdictions"
    return undefined
  })
)
export type TaxRules = typeof TaxRules.Type

/** A tax exemption on file for a customer. */
export const TaxExemption = Schema.Struct({
  reason: Schema.NonEmptyString.pipe(
    FieldDoc.describe("Why the customer is exempt, as printed on its invoices.", [
      "US federal government (FAR 29.302)"
    ])
  ),
  certificate: Schema.NonEmptyString.pipe(
    FieldDoc.describe("The exemption certificate's reference.", ["EX-2026-0042"])
  )
})
export type TaxExemption = typeof TaxExemption.Type

/** A customer's tax profile: where it is taxed and whether it is exempt. */
export const TaxProfile = Schema.Struct({
  jurisdiction: Schema.optionalKey(JurisdictionCode).pipe(
    FieldDoc.describe("Where the customer is taxed; the default jurisdiction when absent.", ["US"])
  ),
  exemption: Schema.optionalKey(TaxExemption).pipe(
    FieldDoc.describe("The exemption on file, when the customer is exempt.")
  )
})
export type TaxProfile = typeof TaxProfile.Type

/** The reference card's policy: one 8% sales tax. */
export const referenceCard: TaxRules = {
  defaultJurisdiction: "US",
  jurisdictions: [
    { code: "US", name: "United States", components: [{ name: "Sales tax", rate: Decimal.unsafe("0.08") }] }
  ]
}

/** The customer's jurisdiction is not in the policy. */
export class UnknownTaxJurisdiction extends Schema.TaggedError<UnknownTaxJurisdiction>()(
  "UnknownTaxJurisdiction",
  {
    jurisdiction: Schema.String
  }
) {
  /** Stable error code. */
  readonly code = "TAX.UNKNOWN_JURISDICTION"
}

/** One computed tax line. */
export interface TaxLine {
  readonly jurisdiction: JurisdictionCode
  readonly name: string
  readonly rate: BigDecimal.BigDecimal
  readonly taxable: Money.Money
  readonly amount: Money.Money
}

/** The tax of a taxable amount. */
export interface TaxResult {
  readonly lines: ReadonlyArray<TaxLine>
  readonly total: Money.Money
  /** The exemption reason and certificate when the customer is exempt. */
  readonly exemption: TaxExemption | null
}

/**
 * Computes the tax on `taxable` (the discounted subtotal). Exempt customers get no tax lines and a
 * zero total, with the exemption recorded; each component is rounded by `mode`.
 */
export const compute = (
  policy: TaxRules,
  profile: TaxProfile,
  taxable: Money.Money,
  mode: Money.RoundingMode
): Effect.Effect<TaxResult, UnknownTaxJurisdiction> => {
  const code = profile.jurisdiction ?? policy.defaultJurisdiction
  const jurisdiction = policy.jurisdictions.find((j) => j.code === code)
  if (jurisdiction === undefined) return Effect.fail(new UnknownTaxJurisdiction({ jurisdiction: code }))
  if (profile.exemption !== undefined) {
    return Effect.succeed({ lines: [], total: Money.zero(taxable.currency), exemption: profile.exemption })
  }
  const base = Money.toDecimal(taxable)
  const lines = jurisdiction.components.map(
    (c): TaxLine => ({
      jurisdiction: jurisdiction.code,
      name: c.name,
      rate: c.rate,
      taxable,
      amount: Money.round(BigDecimal.multiply(base, c.rate), taxable.currency, mode)
    })
  )
  return Effect.succeed({
    lines,
    total: Money.sum(
      taxable.currency,
      lines.map((l) => l.amount)
    ),
    exemption: null
  })
}
