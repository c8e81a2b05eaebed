/**
 * What a plan entitles a customer to besides its prices: limits, compliance frameworks, support
 * and service levels. Entitlements are data held by each plan of the price book (the catalogue),
 * next to the plan's charges; the code reads them from there and nowhere else.
 */
import { Schema } from "effect"

/** Compliance frameworks a plan is assessed against. */
export const ComplianceFramework = Schema.Literals([
  "CIS",
  "SOC2",
  "PCI-DSS",
  "HIPAA",
  "HITRUST",
  "FedRAMP",
  "NIST-800-53"
])
export type ComplianceFramework = typeof ComplianceFramework.Type

/** Support levels, from business hours to a named engineer. */
export const SupportLevel = Schema.Literals(["business-hours", "priority", "24x7", "dedicated"])
export type SupportLevel = typeof SupportLevel.Type

/** Where a tenant's data may live. */
export const DataResidency = Schema.Literals(["any-region", "us-only", "us-gov-cloud"])
export type DataResidency = typeof DataResidency.Type

/** A plan's entitlements. */
export const Entitlements = Schema.Struct({
  /** Cloud accounts a tenant may put under management. */
  maxAccounts: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** Active (unrevoked, unexpired) API keys a tenant may hold at once. */
  maxApiKeys: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** Requests per minute per customer (all its keys and sessions together) before 429 (`TierLimit`). */
  apiRateLimitPerMinute: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** The frameworks the customer's compliance status is summarised over. */
  complianceFrameworks: Schema.Array(ComplianceFramework),
  /** How long audit events are kept before they may be archived. */
  auditRetentionDays: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  supportLevel: SupportLevel,
  /** First-response target for a critical ticket, in hours. */
  criticalResponseHours: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** Monthly uptime commitment in basis points (9990 = 99.90%). */
  uptimeSlaBasisPoints: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 10000 })),
  ssoRequired: Schema.Boolean,
  customerManagedKeys: Schema.Boolean,
  dataResidency: DataResidency
}).annotate({ identifier: "Entitlements" })
export type Entitlements = typeof Entitlements.Type

/** Whether two plans entitle a customer to the same things. */
export const equivalent = (a: Entitlements, b: Entitlements): boolean => {
  const encode = Schema.encodeSync(Entitlements)
  return JSON.stringify(encode(a)) === JSON.stringify(encode(b))
}

/** The reference card's entitlements per tier (its plans in the shipped book). */
export const referenceCard = {
  standard: {
    maxAccounts: 10,
    maxApiKeys: 5,
    apiRateLimitPerMinute: 600,
    complianceFrameworks: ["CIS", "SOC2"],
    auditRetentionDays: 365,
    supportLevel: "business-hours",
    criticalResponseHours: 24,
    uptimeSlaBasisPoints: 9950,
    ssoRequired: false,
    customerManagedKeys: false,
    dataResidency: "any-region"
  },
  fintech: {
    maxAccounts: 50,
    maxApiKeys: 20,
    apiRateLimitPerMinute: 3000,
    complianceFrameworks: ["CIS", "SOC2", "PCI-DSS"],
    auditRetentionDays: 2555,
    supportLevel: "priority",
    criticalResponseHours: 4,
    uptimeSlaBasisPoints: 9990,
    ssoRequired: true,
    customerManagedKeys: true,
    dataResidency: "any-region"
  },
  healthcare: {
    maxAccounts: 100,
    maxApiKeys: 25,
    apiRateLimitPerMinute: 3000,
    complianceFrameworks: ["CIS", "SOC2", "HIPAA", "HITRUST"],
    auditRetentionDays: 2190,
    supportLevel: "24x7",
    criticalResponseHours: 2,
    uptimeSlaBasisPoints: 9990,
    ssoRequired: true,
    customerManagedKeys: true,
    dataResidency: "us-only"
  },
  "gov-federal": {
    maxAccounts: 250,
    maxApiKeys: 50,
    apiRateLimitPerMinute: 6000,
    complianceFrameworks: ["CIS", "SOC2", "FedRAMP", "NIST-800-53"],
    auditRetentionDays: 2555,
    supportLevel: "dedicated",
    criticalResponseHours: 1,
    uptimeSlaBasisPoints: 9995,
    ssoRequired: true,
    customerManagedKeys: true,
    dataResidency: "us-gov-cloud"
  }
} as const satisfies Record<string, Entitlements>
