import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Entitlements, PriceBook } from "../../src/index.ts"

const plans = PriceBook.referenceCard.plans
const order = ["standard", "fintech", "healthcare", "gov-federal"] as const

describe("Entitlements", () => {
  it("the shipped book's four plans carry the card's entitlements, each valid by its Schema", () => {
    assert.deepStrictEqual(PriceBook.planCodes(PriceBook.referenceCard), [...order])
    for (const code of order) {
      const entitlements = plans[code].entitlements
      // The matrix is data: every plan's entitlements survive their own Schema.
      Schema.decodeUnknownSync(Entitlements.Entitlements)(
        Schema.encodeSync(Entitlements.Entitlements)(entitlements)
      )
    }
  })

  it("frameworks follow the card: HIPAA for healthcare, FedRAMP for gov-federal, PCI-DSS for fintech", () => {
    assert.include(plans.healthcare.entitlements.complianceFrameworks, "HIPAA")
    assert.include(plans["gov-federal"].entitlements.complianceFrameworks, "FedRAMP")
    assert.include(plans.fintech.entitlements.complianceFrameworks, "PCI-DSS")
    assert.notInclude(plans.standard.entitlements.complianceFrameworks, "FedRAMP")
  })

  it("entitlements never shrink from one reference plan to the next", () => {
    for (let i = 1; i < order.length; i++) {
      const lower = plans[order[i - 1]!].entitlements
      const higher = plans[order[i]!].entitlements
      assert.isAtLeast(higher.maxAccounts, lower.maxAccounts)
      assert.isAtLeast(higher.maxApiKeys, lower.maxApiKeys)
      assert.isAtMost(higher.criticalResponseHours, lower.criticalResponseHours)
    }
  })

  it("equivalent compares by value", () => {
    assert.isTrue(Entitlements.equivalent(plans.fintech.entitlements, { ...plans.fintech.entitlements }))
    assert.isFalse(
      Entitlements.equivalent(plans.fintech.entitlements, { ...plans.fintech.entitlements, maxApiKeys: 21 })
    )
  })
})
