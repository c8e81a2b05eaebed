/**
 * Worked examples from the reference card, each computed by hand in the comments: base prices
 * $2,000 / $8,000 / $15,000 / $25,000, 5% volume discount over $5,000 (capped at the threshold),
 * 8% tax on the discounted subtotal, half-up rounding to the cent.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Decimal, Discount, Invoice, Metric, Money, PriceBook, Tax } from "../../src/index.ts"
import { priceReference, priceReferenceSync } from "../fixtures.ts"

const cents = (i: Invoice.Invoice) => ({
  subtotal: i.subtotal,
  discount: i.discount,
  taxable: i.taxable,
  tax: i.tax,
  total: i.total
})

describe("Invoicing.priceInvoice: each plan at its base price", () => {
  it.effect("standard: $2,000 → no discount (under $5,000) → 8% tax $160 → $2,160.00", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("standard")
      assert.deepStrictEqual(cents(inv), {
        subtotal: 200000n,
        discount: 0n,
        taxable: 200000n,
        tax: 16000n,
        total: 216000n
      })
      assert.strictEqual(inv.discountDescription, null)
      assert.deepStrictEqual(Invoice.reconciliationErrors(inv), [])
    })
  )

  it.effect("fintech: $8,000 → 5% = $400 (cap $3,000 not reached) → $7,600 → tax $608 → $8,208.00", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("fintech")
      assert.deepStrictEqual(cents(inv), {
        subtotal: 800000n,
        discount: 40000n,
        taxable: 760000n,
        tax: 60800n,
        total: 820800n
      })
      assert.isNotNull(inv.discountDescription)
    })
  )

  it.effect("healthcare: $15,000 → $750 off → $14,250 → tax $1,140 → $15,390.00", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("healthcare")
      assert.deepStrictEqual(cents(inv), {
        subtotal: 1500000n,
        discount: 75000n,
        taxable: 1425000n,
        tax: 114000n,
        total: 1539000n
      })
    })
  )

  it.effect("gov-federal: $25,000 → $1,250 off → $23,750 → tax $1,900 → $25,650.00", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("gov-federal")
      assert.deepStrictEqual(cents(inv), {
        subtotal: 2500000n,
        discount: 125000n,
        taxable: 2375000n,
        tax: 190000n,
        total: 2565000n
      })
    })
  )

  it.effect("every line of a within-allowance month is zero except the platform fee", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("healthcare", {
        api_calls: "10000000",
        accounts: "100",
        storage_gb: "1000"
      })
      assert.strictEqual(inv.lines[0]!.code, "platform")
      assert.strictEqual(inv.lines[0]!.amount, 1500000n)
      for (const line of inv.lines.slice(1)) assert.strictEqual(line.amount, 0n, line.code)
      assert.strictEqual(inv.lines.length, PriceBook.referenceCard.plans.healthcare.charges.length)
    })
  )
})

describe("Invoicing.priceInvoice: around the $5,000 threshold (standard plan)", () => {
  // standard: $2,000 platform, accounts over 10 at $150, API calls over 1,000,000 at $0.0004.
  it.effect("just under: 29 accounts ($2,850) + 374,975 extra calls ($149.99) = $4,999.99, no discount", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("standard", { accounts: "29", api_calls: "1374975" })
      // tax: 0.08 × 4,999.99 = 399.9992 → half-up → $400.00
      assert.deepStrictEqual(cents(inv), {
        subtotal: 499999n,
        discount: 0n,
        taxable: 499999n,
        tax: 40000n,
        total: 539999n
      })
    })
  )

  it.effect("exactly $5,000.00: not over the threshold, no discount, $5,400.00", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference("standard", { accounts: "30" })
      assert.deepStrictEqual(cents(inv), {
        subtotal: 500000n,
        discount: 0n,
        taxable: 500000n,
        tax: 40000n,
        total: 540000n
      })
    })
  )

  it.effect("just over: $5,000.01 → capped discount $0.01 (not $250.00) → $5,000.00 → $5,400.00", () =>
    Effect.gen(function* () {
      // 25 calls over the allowance × $0.0004 = $0.01. 5% of $5,000.01 = $250.0005 → $250.00,
      // capped at $5,000.01 − $5,000.00 = $0.01.
      const inv = yield* priceReference("standard", { accounts: "30", api_calls: "1000025" })
      assert.deepStrictEqual(cents(inv), {
        subtotal: 500001n,
        discount: 1n,
        taxable: 500000n,
        tax: 40000n,
        total: 540000n
      })
      assert.deepStrictEqual(Invoice.reconciliationErrors(inv), [])
    })
  )

  it.effect(
    "the literal card rule would make $5,000.01 cost $5,130.01, less than $5,000.00's $5,400.00",
    () =>
      Effect.gen(function* () {
        const literal = {
          ...PriceBook.referenceCard,
          discount: { ...Discount.referenceCard, _tag: "AllUnitsVolume" }
        }
        const over = yield* priceReference(
          "standard",
          { accounts: "30", api_calls: "1000025" },
          {},
          { priceBook: literal as PriceBook.PriceBook }
        )
        const at = yield* priceReference(
          "standard",
          { accounts: "30" },
          {},
          { priceBook: literal as PriceBook.PriceBook }
        )
        // 5% of $5,000.01 = $250.00 off → $4,750.01; tax 380.0008 → $380.00 → $5,130.01.
        assert.deepStrictEqual(cents(over), {
          subtotal: 500001n,
          discount: 25000n,
          taxable: 475001n,
          tax: 38000n,
          total: 513001n
        })
        assert.isTrue(over.total < at.total, "the non-monotone rule the default avoids")
      })
  )
})

describe("Invoicing.priceInvoice: tax", () => {
  it.effect("a tax-exempt gov-federal customer pays $23,750.00 with the exemption on the invoice", () =>
    Effect.gen(function* () {
      const inv = yield* priceReference(
        "gov-federal",
        {},
        { exemption: { reason: "US federal government purchaser", certificate: "GSA-EX-2026-0042" } }
      )
      assert.deepStrictEqual(cents(inv), {
        subtotal: 2500000n,
        discount: 125000n,
        taxable: 2375000n,
        tax: 0n,
        total: 2375000n
      })
      assert.deepStrictEqual(inv.taxLines, [])
      assert.strictEqual(inv.taxExemption, "US federal government purchaser (certificate GSA-EX-2026-0042)")
    })
  )

  it.effect("components are rounded one by one and printed lines add up to the tax", () =>
    Effect.gen(function* () {
      const policy: Tax.TaxRules = {
        defaultJurisdiction: "US",
        jurisdictions: [
          ...Tax.referenceCard.jurisdictions,
          {
            code: "US-CA",
            name: "California",
            components: [
              { name: "State", rate: BigDecimalOf("0.0725") },
              { name: "County", rate: BigDecimalOf("0.0025") }
            ]
          }
        ]
      }
      // $4,999.99: state 362.499275 → $362.50, county 12.499975 → $12.50; tax $375.00.
      const inv = yield* priceReference(
        "standard",
        { accounts: "29", api_calls: "1374975" },
        { jurisdiction: "US-CA" },
        { taxRules: policy }
      )
      assert.deepStrictEqual(
        inv.taxLines.map((t) => [t.name, t.amount]),
        [
          ["State", 36250n],
          ["County", 1250n]
        ]
      )
      assert.strictEqual(inv.tax, 37500n)
      assert.strictEqual(inv.total, 499999n + 37500n)
    })
  )

  it.effect("an unknown jurisdiction is a typed error, not a zero tax", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(priceReference("standard", {}, { jurisdiction: "ZZ" }))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(priceReference("standard", {}, { jurisdiction: "ZZ" }))
      assert.strictEqual(error._tag, "UnknownTaxJurisdiction")
      assert.strictEqual(error.code, "TAX.UNKNOWN_JURISDICTION")
    })
  )
})

describe("Invoicing.priceInvoice: lines and rounding", () => {
  it("rounds each line once, half-up: 2.02 GB over × $0.25 = $0.505 → $0.51", () => {
    const inv = priceReferenceSync("standard", { storage_gb: "102.02" })
    const storage = inv.lines.find((l) => l.code === "storage")!
    assert.strictEqual(storage.amount, 51n)
    // The same month under banker's rounding lands on the even cent.
    const even = priceReferenceSync(
      "standard",
      { storage_gb: "102.02" },
      {},
      {
        priceBook: { ...PriceBook.referenceCard, rounding: "half-even" }
      }
    )
    assert.strictEqual(even.lines.find((l) => l.code === "storage")!.amount, 50n)
  })

  it("graduated API calls: 12,000,000 on standard = 11M billable = 10M × $0.0004 + 1M × $0.0002 = $4,200", () => {
    // Bands apply to the billable units, after the 1,000,000 included calls.
    const inv = priceReferenceSync("standard", { api_calls: "12000000" })
    const calls = inv.lines.find((l) => l.code === "api_calls")!
    assert.strictEqual(calls.amount, 420000n)
    // Gov-federal (graduated since the book was made monotone): 120,000,000 calls − 20,000,000
    // included = 100,000,000 billable, all inside the first band (≤ 100M) at $0.0002 = $20,000.00.
    const gov = priceReferenceSync("gov-federal", { api_calls: "120000000" })
    assert.strictEqual(gov.lines.find((l) => l.code === "api_calls")!.amount, 2000000n)
  })

  it("regression: the reference book's gov-federal Volume cliff (120,000,001 calls cost $5,130 less than 120,000,000)", () => {
    // Under the old Volume model, 100,000,001 billable calls all fell in the second band:
    // 100,000,001 × $0.00015 = $15,000.00015 → $15,000.00, $5,000 less than 100,000,000 × $0.0002.
    // Graduated: 100,000,000 × $0.0002 + 1 × $0.00015 = $20,000.00015 → $20,000.00.
    const at = priceReferenceSync("gov-federal", { api_calls: "120000000" })
    const over = priceReferenceSync("gov-federal", { api_calls: "120000001" })
    assert.strictEqual(over.lines.find((l) => l.code === "api_calls")!.amount, 2000000n)
    // Both bills: $25,000 + $20,000 = $45,000 subtotal; 5% = $2,250 off → $42,750; 8% tax $3,420;
    // total $46,170.00 (the old book charged $41,040.00 for one call more).
    assert.strictEqual(at.total, 4617000n)
    assert.strictEqual(over.total, 4617000n)
    assert.isTrue(over.total >= at.total)
    // The line keeps its two bands and the exact amount before rounding.
    const calls = over.lines.find((l) => l.code === "api_calls")!
    assert.deepStrictEqual(
      calls.breakdown.map((r) => [r.kind, Decimal.format(r.units), Decimal.format(r.amount)]),
      [
        ["band", "100000000", "20000"],
        ["band", "1", "0.00015"]
      ]
    )
    assert.strictEqual(Decimal.format(calls.preciseAmount!), "20000.00015")
  })

  it("scans are sold in started packages of 100: 101 over the allowance = 2 packages × $50", () => {
    const inv = priceReferenceSync("standard", { compliance_scans: "201" })
    assert.strictEqual(inv.lines.find((l) => l.code === "scans")!.amount, 10000n)
  })

  it("the discount is allocated over the lines by largest remainder and adds up exactly", () => {
    const inv = priceReferenceSync("fintech", { accounts: "57", api_calls: "5000001" })
    // 7 accounts × $120 = $840; 1 call × $0.0003 = $0.0003 → $0.00. Subtotal $8,840; 5% = $442.
    assert.strictEqual(inv.subtotal, 884000n)
    assert.strictEqual(inv.discount, 44200n)
    const shares = inv.lines.map((l) => l.discount)
    assert.strictEqual(
      shares.reduce((a, b) => a + b, 0n),
      44200n
    )
    assert.strictEqual(inv.lines.find((l) => l.code === "platform")!.discount, 40000n)
    assert.strictEqual(inv.lines.find((l) => l.code === "accounts")!.discount, 4200n)
  })

  it.effect("a charge whose metric the usage lacks is a typed error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        priceReference(
          "standard",
          {},
          {},
          { usage: new Map([[Metric.code("api_calls"), BigDecimalOf("1")]]) }
        )
      )
      assert.strictEqual(error._tag, "MissingMetric")
    })
  )

  it.effect(
    "a line beyond Money.maxMinor is AmountOutOfRange naming it: 1e20 GB once overflowed the invoice's bigint",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          priceReference("fintech", { data_transfer_gb: "100000000000000000000" })
        )
        assert.strictEqual(error._tag, "AmountOutOfRange")
        if (error._tag !== "AmountOutOfRange") return
        assert.strictEqual(error.code, "AMOUNT.OUT_OF_RANGE")
        assert.strictEqual(error.what, "line data_transfer")
        // (1e20 − 2,000 included) × $0.08 = $7,999,999,999,999,999,840 = 799,999,999,999,999,984,000 cents.
        assert.strictEqual(error.minor, "799999999999999984000")
      })
  )

  it.effect("lines within the ceiling whose sum is beyond it fail on the subtotal", () =>
    Effect.gen(function* () {
      // Each line about 0.6 × maxMinor: $5.4e13 of transfer at $0.08 and of storage at $0.25.
      const error = yield* Effect.flip(
        priceReference("fintech", { data_transfer_gb: "675000000002000", storage_gb: "216000000000500" })
      )
      assert.strictEqual(error._tag, "AmountOutOfRange")
      if (error._tag === "AmountOutOfRange") assert.strictEqual(error.what, "subtotal")
    })
  )

  it.effect("a subtotal just within the ceiling whose tax takes it beyond fails on the total", () =>
    Effect.gen(function* () {
      // standard: $2,000 platform; accounts over 10 at $150: subtotal near maxMinor, 8% tax beyond it.
      const accounts = ((Money.maxMinor - 200000n) / 15000n + 10n).toString()
      const error = yield* Effect.flip(priceReference("standard", { accounts }))
      assert.strictEqual(error._tag, "AmountOutOfRange")
      if (error._tag === "AmountOutOfRange") assert.strictEqual(error.what, "total")
    })
  )

  it("a draft has no number, no issue date and net-30 terms", () => {
    const inv = priceReferenceSync("standard")
    assert.strictEqual(inv.status, "draft")
    assert.strictEqual(inv.number, null)
    assert.strictEqual(inv.issuedAt, null)
    assert.strictEqual(inv.netDays, 30)
  })
})

import { BigDecimal } from "effect"

function BigDecimalOf(s: string) {
  return BigDecimal.fromStringUnsafe(s)
}
