/** `Invoice.reconciliationErrors` also checks what a line keeps to explain itself. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal } from "effect"
import { Decimal, Invoice } from "../../src/index.ts"
import { priceReferenceSync } from "../fixtures.ts"

describe("Invoice.reconciliationErrors", () => {
  it("a breakdown that does not add up to its line's precise amount is reported", () => {
    const inv = priceReferenceSync("standard", { api_calls: "12000000" })
    assert.deepStrictEqual(Invoice.reconciliationErrors(inv), [])
    const lines = inv.lines.map((l) =>
      l.code === "api_calls"
        ? {
            ...l,
            breakdown: l.breakdown.map((r, i) =>
              i === 0 ? { ...r, amount: BigDecimal.sum(r.amount, Decimal.one) } : r
            )
          }
        : l
    )
    assert.deepStrictEqual(Invoice.reconciliationErrors({ ...inv, lines }), [
      "line 2's breakdown does not add to its precise amount"
    ])
  })

  it("an amount that is not its precise amount rounded is reported; older lines without one are not checked", () => {
    const inv = priceReferenceSync("standard", { storage_gb: "102.02" })
    const off = inv.lines.map((l) =>
      l.code === "storage" ? { ...l, preciseAmount: Decimal.unsafe("0.7") } : l
    )
    assert.include(
      Invoice.reconciliationErrors({ ...inv, lines: off }),
      "line 4's amount is not its precise amount rounded"
    )
    const older = inv.lines.map((l) => ({ ...l, preciseAmount: null, breakdown: [] }))
    assert.deepStrictEqual(Invoice.reconciliationErrors({ ...inv, lines: older }), [])
  })

  it("discounts that do not add up to the discount are reported", () => {
    const inv = priceReferenceSync("fintech")
    assert.strictEqual(inv.discounts.length, 1)
    assert.deepStrictEqual(Invoice.reconciliationErrors({ ...inv, discounts: [] }), [
      "discounts do not add to the discount"
    ])
  })
})
