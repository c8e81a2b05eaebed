/**
 * The building blocks the other generators are made of: bounded integers and bigints, a choice
 * among generators, optional values, subsets and permutations. All are effect `Arbitrary` values,
 * so they shrink (toward the lower bound, the first choice, the shorter list) without fast-check.
 */
import { Arbitrary, Schema } from "effect"

/** An integer in [min, max], shrinking toward `min`. */
export const int = (min: number, max: number): Arbitrary.Arbitrary<number> =>
  Arbitrary.schema(Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max })))

/** A bigint in [min, max], shrinking toward `min`. */
export const bigint = (min: bigint, max: bigint): Arbitrary.Arbitrary<bigint> =>
  Arbitrary.schema(Schema.BigInt.check(Schema.isBetweenBigInt({ minimum: min, maximum: max })))

/** `true` or `false`. */
export const boolean: Arbitrary.Arbitrary<boolean> = Arbitrary.schema(Schema.Boolean)

/** One of the given generators, shrinking toward the first. */
export const oneOf = <const Arbs extends ReadonlyArray<Arbitrary.Arbitrary<any>>>(
  ...arbs: Arbs
): Arbitrary.Arbitrary<Arbs[number] extends Arbitrary.Arbitrary<infer A> ? A : never> =>
  Arbitrary.flatMap(int(0, arbs.length - 1), (i) => arbs[i]!)

/** One of the given values, shrinking toward the first. */
export const element = <const A>(values: ReadonlyArray<A>): Arbitrary.Arbitrary<A> =>
  Arbitrary.map(int(0, values.length - 1), (i) => values[i]!)

/** Either `undefined` or a value of `arb`, shrinking toward `undefined`. */
export const optional = <A>(arb: Arbitrary.Arbitrary<A>): Arbitrary.Arbitrary<A | undefined> =>
  Arbitrary.flatMap(boolean, (present) => (present ? arb : Arbitrary.Constant(undefined)))

/** A permutation of `values` (which are not copied), shrinking toward the original order. */
export const shuffled = <A>(values: ReadonlyArray<A>): Arbitrary.Arbitrary<Array<A>> =>
  Arbitrary.map(Arbitrary.all(values.map(() => int(0, 1_000_000))), (keys) =>
    values
      .map((value, i) => ({ value, key: keys[i]!, i }))
      // Ties keep the original order, so all-zero keys (the shrunk case) are the identity.
      .sort((a, b) => a.key - b.key || a.i - b.i)
      .map((x) => x.value)
  )

/** A subset of `values` in their original order, shrinking toward the empty subset. */
export const subset = <A>(values: ReadonlyArray<A>): Arbitrary.Arbitrary<Array<A>> =>
  Arbitrary.map(Arbitrary.all(values.map(() => boolean)), (keep) => values.filter((_, i) => keep[i]))

/**
 * The array typed as non-empty, for Schemas that require at least one element; an empty one is a
 * bug in the generator that built it, so it throws.
 */
export const nonEmpty = <A>(values: ReadonlyArray<A>): readonly [A, ...Array<A>] => {
  if (values.length === 0) throw new RangeError("nonEmpty: a generator produced an empty array")
  return values as readonly [A, ...Array<A>]
}
