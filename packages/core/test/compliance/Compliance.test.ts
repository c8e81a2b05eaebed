import { assert, describe, it } from "@effect/vitest"
import { DateTime } from "effect"
import { Compliance, PriceBook } from "../../src/index.ts"
import { customerId } from "../fixtures.ts"

const frameworks = (plan: keyof typeof PriceBook.referenceCard.plans) =>
  PriceBook.referenceCard.plans[plan].entitlements.complianceFrameworks

let n = 0
const finding = (
  framework: Compliance.Finding["framework"],
  severity: Compliance.Severity,
  status: Compliance.FindingStatus = "open",
  at = "2026-10-01T00:00:00Z"
): Compliance.Finding => ({
  id: `0b7c2a4e-3f1d-4c55-9a1e-${(++n).toString().padStart(12, "0")}` as Compliance.FindingId,
  customerId,
  framework,
  controlId: "CIS-1.4",
  title: "Root account has access keys",
  severity,
  status,
  resource: null,
  detectedAt: DateTime.makeUnsafe(at),
  resolvedAt: null
})

describe("Compliance.summarize", () => {
  it("reports every framework of the plan, compliant when nothing is open", () => {
    const status = Compliance.summarize("healthcare", frameworks("healthcare"), [])
    assert.deepStrictEqual(
      status.frameworks.map((f) => [f.framework, f.state]),
      [
        ["CIS", "compliant"],
        ["SOC2", "compliant"],
        ["HIPAA", "compliant"],
        ["HITRUST", "compliant"]
      ]
    )
    assert.strictEqual(status.overall, "compliant")
  })

  it("open low/medium findings put a framework at risk, high/critical make it non-compliant", () => {
    const status = Compliance.summarize("standard", frameworks("standard"), [
      finding("CIS", "medium"),
      finding("SOC2", "critical"),
      finding("SOC2", "low", "resolved"),
      finding("SOC2", "high", "accepted", "2026-10-09T00:00:00Z")
    ])
    const [cis, soc2] = status.frameworks
    assert.strictEqual(cis!.state, "at_risk")
    assert.strictEqual(soc2!.state, "non_compliant")
    assert.deepStrictEqual(soc2!.open, { low: 0, medium: 0, high: 0, critical: 1 })
    assert.strictEqual(soc2!.resolved, 1)
    assert.strictEqual(soc2!.accepted, 1)
    assert.strictEqual(DateTime.formatIsoDate(soc2!.lastFindingAt!), "2026-10-09")
    assert.strictEqual(status.overall, "non_compliant")
  })

  it("resolved and risk-accepted findings do not count against the status", () => {
    const status = Compliance.summarize("standard", frameworks("standard"), [
      finding("CIS", "critical", "resolved"),
      finding("CIS", "high", "accepted")
    ])
    assert.strictEqual(status.frameworks[0]!.state, "compliant")
  })

  it("findings of frameworks outside the plan are ignored (FedRAMP on a standard customer)", () => {
    const status = Compliance.summarize("standard", frameworks("standard"), [finding("FedRAMP", "critical")])
    assert.strictEqual(status.overall, "compliant")
    assert.isFalse(status.frameworks.some((f) => f.framework === "FedRAMP"))
  })
})
