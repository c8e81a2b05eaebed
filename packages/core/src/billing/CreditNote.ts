/**
 * Credit notes: a reduction of an issued invoice, with a reason, its own gap-free number
 * (`CN-2026-000001`) and its lines. A credit note's amount is in the invoice's minor units and
 * gross (tax included, like the invoice's total); {@link ./Receivables.ts} splits it into the part
 * that reduces the amount due (`credited`) and the part paid back to the customer (`refunded`), and
 * states the tax it reverses: per tax line of the invoice, by D'Hondt apportionment of the
 * cumulative credit ({@link ./CreditNoteTax.ts}), with `net = amount − tax`.
 */
import { Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId, InvoiceId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"
import { Decimal } from "../money/Decimal.ts"
import { MinorUnits } from "../money/Money.ts"
import * as Text from "../Text.ts"
import { JurisdictionCode } from "./Tax.ts"

/** A credit note id: a UUID. */
export const CreditNoteId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("CreditNoteId"))
export type CreditNoteId = typeof CreditNoteId.Type

/** A credit note number such as `CN-2026-000001`, from its own gap-free sequence per year. */
export const CreditNoteNumber = Schema.String.check(
  Schema.isPattern(/^CN-\d{4}-\d{6,}$/, { message: "expected a credit note number such as CN-2026-000001" })
).pipe(Schema.brand("CreditNoteNumber"))
export type CreditNoteNumber = typeof CreditNoteNumber.Type

/** Formats the `sequence`-th credit note number of a year: `CN-2026-000001`. */
export const formatNumber = (year: number, sequence: number | bigint): CreditNoteNumber =>
  `CN-${year.toString().padStart(4, "0")}-${sequence.toString().padStart(6, "0")}` as CreditNoteNumber

const positive = MinorUnits.check(Schema.isGreaterThanBigInt(0n, { message: "must be more than zero" }))

/** Free text of a credit note (a reason, a line's description): one line, 1-500 characters. */
export const CreditNoteText = Text.singleLine({ minimum: 1, maximum: 500, trimmed: true })

/** One requested line: what is credited, optionally against one line of the invoice. */
export const CreditNoteLineInput = Schema.Struct({
  description: CreditNoteText.pipe(FieldDoc.describe("What this line credits.")),
  /** The invoice line's position this line credits; it may not credit more than that line's net amount. */
  invoiceLine: Schema.optional(Schema.NullOr(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))).pipe(
    FieldDoc.describe("The invoice line it credits (its position), if any: at most that line's net amount.")
  ),
  amount: positive.pipe(FieldDoc.describe("The amount credited, in minor units, more than zero."))
}).annotate({ identifier: "CreditNoteLineInput" })
export interface CreditNoteLineInput extends Schema.Schema.Type<typeof CreditNoteLineInput> {}

/**
 * What an operator asks for: a reason and either lines or one amount (which becomes one line
 * described by the reason).
 */
export const CreditNoteInput = Schema.Struct({
  reason: CreditNoteText.pipe(FieldDoc.describe("Why the invoice is credited.")),
  amount: Schema.optionalKey(positive).pipe(
    FieldDoc.describe("The amount credited, in minor units (tax included), as one line; not with lines.")
  ),
  lines: Schema.optionalKey(
    Schema.Array(CreditNoteLineInput).check(Schema.isMinLength(1), Schema.isMaxLength(100))
  ).pipe(FieldDoc.describe("The lines credited (1-100); not with amount."))
})
  // One struct rather than a union of the two forms, so a bad field is named as it is (a union
  // named the other form's missing key); a request with both, or neither, is refused whole.
  .check(
    Schema.makeFilter(
      (input: { readonly amount?: unknown; readonly lines?: unknown }) =>
        (input.amount === undefined) !== (input.lines === undefined) || "give lines or one amount, not both"
    )
  )
  .annotate({ identifier: "CreditNoteInput" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          reason: "SLA credit, 2026-11-03 outage",
          lines: [{ description: "Platform fee, 3 days", invoiceLine: 1, amount: "80000" }]
        },
        { reason: "Goodwill", amount: "2500" }
      ]
    })
  )
export type CreditNoteInput = typeof CreditNoteInput.Type

/** A stored line of a credit note. */
export const CreditNoteLine = Schema.Struct({
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).pipe(
    FieldDoc.describe("The line's number, from 1.")
  ),
  description: Schema.String.pipe(FieldDoc.describe("What the line credits.")),
  invoiceLine: Schema.NullOr(Schema.Int).pipe(FieldDoc.describe("The invoice line it credits, or null.")),
  amount: MinorUnits.pipe(FieldDoc.describe("The amount credited, in minor units."))
}).annotate({ identifier: "CreditNoteLine" })
export interface CreditNoteLine extends Schema.Schema.Type<typeof CreditNoteLine> {}

/** The tax a credit note reverses of one tax line of its invoice. */
export const CreditNoteTaxLine = Schema.Struct({
  jurisdiction: JurisdictionCode.pipe(FieldDoc.describe("The invoice tax line's jurisdiction code.", ["US"])),
  name: Schema.String.pipe(FieldDoc.describe("The tax's name, as on the invoice.", ["Sales tax"])),
  rate: Decimal.pipe(
    FieldDoc.describe('The tax rate as a decimal fraction string ("0.08" = 8 %).', ["0.08"])
  ),
  amount: MinorUnits.pipe(
    FieldDoc.describe('The tax of that line this note credits, in minor units ("400" = $4.00).', ["400"])
  )
}).annotate({ identifier: "CreditNoteTaxLine" })
export interface CreditNoteTaxLine extends Schema.Schema.Type<typeof CreditNoteTaxLine> {}

/** An issued credit note. `amount = credited + refunded`, and the lines add to `amount`. */
export const CreditNote = Schema.Struct({
  id: CreditNoteId.pipe(FieldDoc.describe("The credit note's id, a UUID.")),
  number: CreditNoteNumber.pipe(FieldDoc.describe("Its gap-free number, CN-YYYY-NNNNNN.")),
  invoiceId: InvoiceId.pipe(FieldDoc.describe("The invoice it credits.")),
  customerId: CustomerId.pipe(FieldDoc.describe("The invoice's customer.")),
  currency: Currency.pipe(FieldDoc.describe("The invoice's currency.")),
  reason: Schema.String.pipe(FieldDoc.describe("Why the invoice was credited.")),
  lines: Schema.Array(CreditNoteLine).pipe(FieldDoc.describe("The lines credited; they add to amount.")),
  amount: MinorUnits.pipe(FieldDoc.describe("The amount credited, in minor units: credited + refunded.")),
  /** The part that reduced the invoice's amount due. */
  credited: MinorUnits.pipe(FieldDoc.describe("The part that reduced the amount due, in minor units.")),
  /** The part paid back to the customer (the invoice had been paid beyond what was left due). */
  refunded: MinorUnits.pipe(FieldDoc.describe("The part paid back to the customer, in minor units.")),
  /**
   * The tax reversed, per tax line of the invoice (`[]` for a tax-exempt invoice); null for a note
   * issued before the split was recorded (migration 0030), which states no split.
   */
  taxLines: Schema.NullOr(Schema.Array(CreditNoteTaxLine)).pipe(
    FieldDoc.describe(
      "The tax this note reverses, per tax line of the invoice, by D'Hondt apportionment of the cumulative " +
        "credit over the invoice's net and tax lines ([] when the invoice has no tax); null for a note " +
        "issued before tax splits were recorded."
    )
  ),
  tax: Schema.NullOr(MinorUnits).pipe(
    FieldDoc.describe("The tax reversed (the sum of taxLines), in minor units; null when taxLines is null.", [
      "400"
    ])
  ),
  net: Schema.NullOr(MinorUnits).pipe(
    FieldDoc.describe("The amount net of tax (amount − tax), in minor units; null when taxLines is null.", [
      "5000"
    ])
  ),
  issuedAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When it was issued, RFC 3339 UTC."))
}).annotate({ identifier: "CreditNote" })
export interface CreditNote extends Schema.Schema.Type<typeof CreditNote> {}

/** The requested lines, with one line for a bare amount. */
export const requestedLines = (input: CreditNoteInput): ReadonlyArray<CreditNoteLine> =>
  input.lines !== undefined
    ? input.lines.map((l, i) => ({
        position: i + 1,
        description: l.description,
        invoiceLine: l.invoiceLine ?? null,
        amount: l.amount
      }))
    : [{ position: 1, description: input.reason, invoiceLine: null, amount: input.amount! }]
