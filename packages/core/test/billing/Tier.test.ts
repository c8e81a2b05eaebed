import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Tier } from "../../src/index.ts"

describe("Tier", () => {
  it("has the card's four tiers and a valid feature row for each", () => {
    assert.deepStrictEqual(Tier.all, ["standard", "fintech", "healthcare", "gov-federal"])
    for (const tier of Tier.all) {
      const row = Tier.features[tier]
      assert.strictEqual(row.tier, tier)
      // The matrix is data: every row must survive its own Schema.
      Schema.decodeUnknownSync(Tier.TierFeatures)(Schema.encodeSync(Tier.TierFeatures)(row))
    }
  })

  it("frameworks follow the card: HIPAA for healthcare, FedRAMP for gov-federal, PCI-DSS for fintech", () => {
    assert.include(Tier.features.healthcare.complianceFrameworks, "HIPAA")
    assert.include(Tier.features["gov-federal"].complianceFrameworks, "FedRAMP")
    assert.include(Tier.features.fintech.complianceFrameworks, "PCI-DSS")
    assert.notInclude(Tier.features.standard.complianceFrameworks, "FedRAMP")
  })

  it("entitlements never shrink as the tier goes up", () => {
    for (let i = 1; i < Tier.all.length; i++) {
      const lower = Tier.features[Tier.all[i - 1]!]
      const higher = Tier.features[Tier.all[i]!]
      assert.isAtLeast(higher.maxAccounts, lower.maxAccounts)
      assert.isAtLeast(higher.maxApiKeys, lower.maxApiKeys)
      assert.isAtMost(higher.criticalResponseHours, lower.criticalResponseHours)
    }
  })
})
