/** The plain-text invoice explains itself: breakdown rows under the lines, one row per discount. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { CustomerTerms, InvoiceText, Period } from "../../src/index.ts"
import { priceReference } from "../fixtures.ts"

describe("InvoiceText.render", () => {
  it.effect("prints each band under its line, each discount, and a true-up line", () =>
    Effect.gen(function* () {
      const terms = yield* CustomerTerms.decode({
        coupons: [
          {
            code: "spring",
            description: "Spring offer",
            discount: { _tag: "AmountOff", amount: "100" },
            startPeriod: Schema.decodeSync(Period.Period)("2026-10"),
            duration: { _tag: "Forever" }
          }
        ],
        commitment: { minimum: "10000" }
      })
      // standard: 12,000,000 calls = 11,000,000 billable: 10M × $0.0004 = $4,000 + 1M × $0.0002 =
      // $200. $2,000 + $4,200 = $6,200 < $10,000: true-up $3,800. $100 off → $9,900; capped 5% =
      // $495 → $9,405; tax $752.40 → $10,157.40.
      const invoice = yield* priceReference("standard", { api_calls: "12000000" }, {}, { terms })
      const text = InvoiceText.render(invoice)
      assert.include(text, "     band 1 (0 to 10,000,000): 10,000,000 × 0.0004 = 4,000")
      assert.include(text, "     band 2 (above 10,000,000): 1,000,000 × 0.0002 = 200")
      assert.match(text, /8\. Minimum commitment true-up \(minimum \$10,000\.00\)\s+\$3,800\.00/)
      assert.match(text, /Coupon spring: \$100\.00 off \(Spring offer\)\s+-\$100\.00/)
      assert.match(text, /Volume discount 5% over \$5,000\.00 \(never below \$5,000\.00\)\s+-\$495\.00/)
      assert.match(text, /TOTAL\s+\$10,157\.40/)
      // A per-unit line's single row adds nothing to its pricing: not repeated.
      assert.notInclude(text, "units: ")
    })
  )
})
