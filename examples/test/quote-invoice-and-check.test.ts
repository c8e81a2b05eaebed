/**
 * Runs the embedding example with the team's own book as a user would, and checks its quote, its
 * two invoices and the law check against figures computed by hand.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const program = fileURLToPath(new URL("../src/quote-invoice-and-check.ts", import.meta.url))

describe("examples/src/quote-invoice-and-check.ts", () => {
  it("quotes, invoices and law-checks Orbital Payments' own book", { timeout: 120_000 }, () => {
    // process.execPath is the Node 24 that runs vitest.
    const out = execFileSync(process.execPath, [program], { encoding: "utf8" })

    // Quote, Growth plan: $499; 400 payments of $85 with $10,000 free: 117 free whole (9,945),
    // the 118th pays on 85 − 55 = 30; paid 30 + 282 × 85 = 24,000 × 2.5% = 600 + 283 × 0.25 fees
    // = 70.75 → $670.75; requests (2,500,000 − 1,000,000) × 0.0008 = $1,200; seats 4 × $12 = $48.
    // Subtotal $2,417.75; tax 8% = $193.42; total $2,611.17.
    assert.include(out, "117 free transactions (10,000): 0")
    assert.include(out, "rate of 283 paid transactions: 24,000 × 2.5% = 600")
    assert.include(out, "Subtotal $2,417.75, tax $193.42, total $2,611.17")

    // Nimbus Books, Starter, list prices: $49; 62 payments ($40, $60 a day), first 20 free, then
    // 21 × (1.16 + 0.30) + 21 × (1.74 + 0.30) = 30.66 + 42.84 = $73.50; requests 930,000 −
    // 100,000 = 830,000 × 0.001 = $830; seats (5 − 3) × $15 = $30. $982.50 + 8% = $1,061.10.
    assert.match(out, /Card payments \(3,100 used.*\$73\.50/)
    assert.match(out, /INV-2026-000001[\s\S]*Subtotal\s+\$982\.50[\s\S]*TOTAL\s+\$1,061\.10/)

    // Helios Travel, Growth with its terms: $499; 310 payments of $200 at a negotiated 2.1% +
    // $0.25 with $10,000 free: 50 free whole, 260 × (4.20 + 0.25) = $1,157; requests 240,000 ×
    // 0.0008 = $192; seats 2 × $12 = $24. Charges $1,872 < $2,500 commitment: true-up $628.
    // Subtotal $2,500; launch coupon 20% = $500 → $2,000 (under the $10,000 volume threshold);
    // tax $160; total $2,160.00.
    assert.include(out, "negotiated: 2.1% per transaction")
    assert.match(out, /Monthly minimum commitment\s+\$628\.00/)
    assert.match(out, /Coupon launch20: 20% off \(Launch offer\)\s+-\$500\.00/)
    assert.match(out, /INV-2026-000002[\s\S]*Subtotal\s+\$2,500\.00[\s\S]*TOTAL\s+\$2,160\.00/)

    assert.include(out, "✓ 7 pricing laws hold for Orbital Payments 2026")
  })
})
