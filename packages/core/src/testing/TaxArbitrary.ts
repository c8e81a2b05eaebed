/**
 * Generators of tax policies (jurisdictions with one or more rated components) and of customer tax
 * profiles within a policy, exempt or not. Rates stay in 0..30% so totals look like real bills.
 */
import { Arbitrary } from "effect"
import type * as Tax from "../billing/Tax.ts"
import { decimal } from "./DecimalArbitrary.ts"
import { element, int, nonEmpty, oneOf } from "./Primitives.ts"

const codes: ReadonlyArray<Tax.JurisdictionCode> = ["US", "US-CA", "US-NY", "CA-ON", "DE", "GB", "JP"]

/** A tax rate of 0..30% with up to 4 decimals ("0.0825"). */
export const taxRate = decimal({ max: "0.3", maxScale: 4 })

/** A jurisdiction with the given code and 1..3 components (state, county, city, ...). */
export const jurisdiction = (code: Tax.JurisdictionCode): Arbitrary.Arbitrary<Tax.Jurisdiction> =>
  Arbitrary.map(Arbitrary.array(taxRate, { minLength: 1, maxLength: 3 }), (rates) => ({
    code,
    name: `Jurisdiction ${code}`,
    components: nonEmpty(rates.map((rate, i) => ({ name: `Component ${i + 1}`, rate })))
  }))

/** A valid tax policy: 1..4 jurisdictions with unique codes, the default one of them. */
export const taxRules: Arbitrary.Arbitrary<Tax.TaxRules> = Arbitrary.flatMap(int(1, 4), (n) =>
  Arbitrary.flatMap(
    Arbitrary.all(codes.slice(0, n).map(jurisdiction)),
    (jurisdictions): Arbitrary.Arbitrary<Tax.TaxRules> =>
      Arbitrary.map(element(jurisdictions), (d) => ({
        defaultJurisdiction: d.code,
        jurisdictions: nonEmpty(jurisdictions)
      }))
  )
)

/** An exemption on file (a federal buyer's certificate, say). */
export const exemption: Arbitrary.Arbitrary<Tax.TaxExemption> = Arbitrary.map(int(1, 999_999), (n) => ({
  reason: "Federal government purchase",
  certificate: `EX-${n.toString().padStart(6, "0")}`
}))

/** A taxed (not exempt) profile in the policy: the default jurisdiction or a named one. */
export const taxedProfile = (policy: Tax.TaxRules): Arbitrary.Arbitrary<Tax.TaxProfile> =>
  oneOf(
    Arbitrary.Constant<Tax.TaxProfile>({}),
    Arbitrary.map(element(policy.jurisdictions), (j): Tax.TaxProfile => ({ jurisdiction: j.code }))
  )

/** An exempt profile in the policy. */
export const exemptProfile = (policy: Tax.TaxRules): Arbitrary.Arbitrary<Tax.TaxProfile> =>
  Arbitrary.map(
    Arbitrary.all({ profile: taxedProfile(policy), exemption }),
    ({ profile, exemption }): Tax.TaxProfile => ({ ...profile, exemption })
  )

/** Any profile in the policy, exempt or not. */
export const taxProfile = (policy: Tax.TaxRules): Arbitrary.Arbitrary<Tax.TaxProfile> =>
  oneOf(taxedProfile(policy), exemptProfile(policy))

/** A policy and a profile within it. */
export const policyAndProfile: Arbitrary.Arbitrary<{
  readonly policy: Tax.TaxRules
  readonly profile: Tax.TaxProfile
}> = Arbitrary.flatMap(taxRules, (policy) =>
  Arbitrary.map(taxProfile(policy), (profile) => ({ policy, profile }))
)
