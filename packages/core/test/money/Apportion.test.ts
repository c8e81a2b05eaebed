/**
 * `Money.apportion`, D'Hondt apportionment: the laws a credit note's tax split rests on (whole
 * parts that add up, never a negative difference as the house grows, exact at the full house),
 * and equality with the textbook greedy it computes in a few steps.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary } from "effect"
import { Money } from "../../src/index.ts"
import { Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

/** The textbook D'Hondt: one unit at a time to the highest w / (s + 1), ties to the earlier part. */
const greedy = (house: bigint, weights: ReadonlyArray<bigint>): Array<bigint> => {
  const seats = weights.map(() => 0n)
  for (let k = 0n; k < house; k++) {
    let best = -1
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] === 0n) continue
      if (best < 0 || weights[i]! * (seats[best]! + 1n) > weights[best]! * (seats[i]! + 1n)) best = i
    }
    seats[best] = seats[best]! + 1n
  }
  return seats
}

const sum = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => a + b, 0n)

/** Weights like an invoice's net and tax lines: 1-5 parts, some possibly zero, one positive. */
const weights = (max: bigint) =>
  Arbitrary.map(
    Arbitrary.array(Primitives.bigint(0n, max), { minLength: 1, maxLength: 5 }),
    (ws): ReadonlyArray<bigint> => (sum(ws) === 0n ? [1n, ...ws.slice(1)] : ws)
  )

describe("Money.apportion", () => {
  it("splits a cumulative credit of a $108.00 invoice (net 100, tax 8) by D'Hondt", () => {
    assert.deepStrictEqual(Money.apportion(10800n, [10000n, 800n]), [10000n, 800n])
    assert.deepStrictEqual(Money.apportion(5400n, [10000n, 800n]), [5000n, 400n])
    assert.deepStrictEqual(Money.apportion(1n, [10000n, 800n]), [1n, 0n])
    assert.deepStrictEqual(Money.apportion(0n, [10000n, 800n]), [0n, 0n])
  })

  it("is house-monotone where largest remainder is not (the Alabama paradox)", () => {
    // Weights 6:6:2 by largest remainder: 10 units give [4, 4, 2], 11 give [5, 5, 1].
    const ws = [6n, 6n, 2n]
    const hamilton = (house: bigint) => Money.allocate(Money.make("USD", house), ws).map((m) => m.minor)
    assert.deepStrictEqual(hamilton(10n), [4n, 4n, 2n])
    assert.deepStrictEqual(hamilton(11n), [5n, 5n, 1n]) // the third part shrinks as the house grows
    for (let h = 0n; h < 40n; h++) {
      const a = Money.apportion(h, ws)
      const b = Money.apportion(h + 1n, ws)
      assert.isTrue(
        a.every((x, i) => b[i]! >= x),
        `${h}: ${a} → ${b}`
      )
    }
  })

  it("refuses a negative house, negative weights, and all-zero weights for a positive house", () => {
    assert.throws(() => Money.apportion(-1n, [1n]), /zero or more/)
    assert.throws(() => Money.apportion(1n, [1n, -1n]), /must not be negative/)
    assert.throws(() => Money.apportion(1n, [0n, 0n]), /not all be zero/)
    assert.deepStrictEqual(Money.apportion(0n, [0n, 0n]), [0n, 0n])
  })

  it.prop(
    "equals the unit-by-unit greedy for small houses",
    { ws: weights(60n), house: Primitives.bigint(0n, 200n) },
    ({ ws, house }) => assert.deepStrictEqual(Money.apportion(house, ws), greedy(house, ws)),
    runs
  )

  it.prop(
    "whole parts that add up to the house; every part of a house-step is ≥ 0 (house-monotone)",
    { ws: weights(10n ** 12n), a: Primitives.bigint(0n, 10n ** 13n), b: Primitives.bigint(0n, 10n ** 13n) },
    ({ ws, a, b }) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a]
      const before = Money.apportion(lo, ws)
      const after = Money.apportion(hi, ws)
      assert.strictEqual(sum(before), lo)
      assert.strictEqual(sum(after), hi)
      for (const [i, x] of after.entries())
        assert.isTrue(x - before[i]! >= 0n, `part ${i}: ${before[i]} → ${x}`)
      // A zero weight never receives anything.
      ws.forEach((w, i) => {
        if (w === 0n) assert.strictEqual(after[i], 0n)
      })
    },
    runs
  )

  it.prop(
    "the full house gives every part exactly its weight",
    { ws: weights(10n ** 15n) },
    ({ ws }) => assert.deepStrictEqual(Money.apportion(sum(ws), ws), [...ws]),
    runs
  )

  it.prop(
    "every part is within one unit of its exact quota's floor (lower quota, at most parts − 1 above)",
    { ws: weights(10n ** 9n), house: Primitives.bigint(0n, 10n ** 10n) },
    ({ ws, house }) => {
      const total = sum(ws)
      Money.apportion(house, ws).forEach((s, i) => {
        const quota = (house * ws[i]!) / total
        assert.isTrue(s >= quota && s - quota < BigInt(ws.length), `${s} vs quota ${quota}`)
      })
    },
    runs
  )
})
