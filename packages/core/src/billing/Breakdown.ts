/**
 * The breakdown of an invoice line, as Lago keeps a fee's `amount_details`: how the exact amount
 * before rounding was reached, one row per band entered, per group of packages, per part of a
 * per-transaction percentage (free, rate, fees, adjustments). The rows' amounts add up exactly to
 * the line's `preciseAmount`; amounts, unit prices and units are exact decimals in major units.
 */
import { BigDecimal, Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import { Decimal } from "../money/Decimal.ts"

/**
 * What a row prices:
 * - `flat`: a fixed charge;
 * - `units`: units at one unit price (per-unit);
 * - `band`: the units of one graduated or volume band, with the band's flat fee;
 * - `packages`: started packages at the package price (`units` counts packages);
 * - `rate`: a rate (a fraction) of an amount (`units` is the amount, `unitPrice` the rate);
 * - `fees`: a fixed fee per transaction (`units` counts transactions);
 * - `free`: units or transactions given free (amount zero);
 * - `adjustment`: a minimum or maximum clamp (may be negative);
 * - `commitment`: the true-up of a minimum commitment.
 */
export const RowKind = Schema.Literals([
  "flat",
  "units",
  "band",
  "packages",
  "rate",
  "fees",
  "free",
  "adjustment",
  "commitment"
])
export type RowKind = typeof RowKind.Type

/** One row of a line's breakdown. */
export const BreakdownRow = Schema.Struct({
  kind: RowKind.pipe(
    FieldDoc.describe(
      "What the row prices: `flat`, `units`, `band`, `packages`, `rate`, `fees`, `free`, `adjustment` or `commitment`."
    )
  ),
  /** A short label without prices: "band 2", "started packages of 100 units", "3 free transactions". */
  description: Schema.String.pipe(FieldDoc.describe("A short label without prices.", ["band 2"])),
  /** The band's lower bound (exclusive) and upper bound (inclusive, null when unbounded). */
  from: Schema.NullOr(Decimal).pipe(
    FieldDoc.describe(
      "A band's lower bound (exclusive), an exact decimal string; null for rows that are not bands."
    )
  ),
  to: Schema.NullOr(Decimal).pipe(
    FieldDoc.describe(
      "A band's upper bound (inclusive), an exact decimal string; null when unbounded or not a band."
    )
  ),
  units: Decimal.pipe(
    FieldDoc.describe(
      "The units priced (packages for `packages`, the amount for `rate`, transactions for `fees`), an exact decimal string."
    )
  ),
  /** The price per unit (per package for packages, the rate for `rate`, per transaction for `fees`). */
  unitPrice: Schema.NullOr(Decimal).pipe(
    FieldDoc.describe(
      "The price per unit in major units (per package, the rate for `rate`, per transaction for `fees`), an exact decimal string; null when none.",
      ["0.0004"]
    )
  ),
  /** A band's flat fee, when it has one. */
  flatFee: Schema.NullOr(Decimal).pipe(
    FieldDoc.describe("A band's flat fee in major units, an exact decimal string; null when it has none.")
  ),
  /** Exact, before rounding, in major units. */
  amount: Decimal.pipe(
    FieldDoc.describe("The row's exact amount before rounding, in major units, an exact decimal string.", [
      "40.00"
    ])
  )
}).annotate({ identifier: "BreakdownRow" })
export interface BreakdownRow extends Schema.Schema.Type<typeof BreakdownRow> {}

/** A line's breakdown. */
export const Breakdown = Schema.Array(BreakdownRow).annotate({ identifier: "Breakdown" })
export type Breakdown = ReadonlyArray<BreakdownRow>

/** A row with the optional fields null (values as computed: encoding writes them normalized). */
export const row = (
  kind: RowKind,
  description: string,
  fields: {
    readonly units: BigDecimal.BigDecimal
    readonly amount: BigDecimal.BigDecimal
    readonly unitPrice?: BigDecimal.BigDecimal | undefined
    readonly flatFee?: BigDecimal.BigDecimal | undefined
    readonly from?: BigDecimal.BigDecimal | undefined
    readonly to?: BigDecimal.BigDecimal | null | undefined
  }
): BreakdownRow => ({
  kind,
  description,
  from: fields.from ?? null,
  to: fields.to ?? null,
  units: fields.units,
  unitPrice: fields.unitPrice ?? null,
  flatFee: fields.flatFee ?? null,
  amount: fields.amount
})

/** The exact sum of a breakdown's amounts. */
export const total = (rows: Breakdown): BigDecimal.BigDecimal =>
  rows.reduce((acc, r) => BigDecimal.sum(acc, r.amount), BigDecimal.fromBigInt(0n))
