/**
 * Credit notes: a reduction of an issued invoice, with a reason, its own gap-free number
 * (`CN-2026-000001`) and its lines. A credit note's amount is in the invoice's minor units and
 * gross (tax included, like the invoice's total); {@link ./Receivables.ts} splits it into the part
 * that reduces the amount due (`credited`) and the part paid back to the customer (`refunded`).
 */
import { Schema } from "effect"
import { CustomerId, InvoiceId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"
import { MinorUnits } from "../money/Money.ts"
import * as Text from "../Text.ts"

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
  description: CreditNoteText,
  /** The invoice line's position this line credits; it may not credit more than that line's net amount. */
  invoiceLine: Schema.optional(Schema.NullOr(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))),
  amount: positive
}).annotate({ identifier: "CreditNoteLineInput" })
export interface CreditNoteLineInput extends Schema.Schema.Type<typeof CreditNoteLineInput> {}

/**
 * What an operator asks for: a reason and either lines or one amount (which becomes one line
 * described by the reason).
 */
export const CreditNoteInput = Schema.Union([
  // Each form refuses the other's field, so a request with both is refused rather than half read.
  Schema.Struct({ reason: CreditNoteText, amount: positive, lines: Schema.optionalKey(Schema.Never) }),
  Schema.Struct({
    reason: CreditNoteText,
    lines: Schema.Array(CreditNoteLineInput).check(Schema.isMinLength(1), Schema.isMaxLength(100)),
    amount: Schema.optionalKey(Schema.Never)
  })
]).annotate({ identifier: "CreditNoteInput" })
export type CreditNoteInput = typeof CreditNoteInput.Type

/** A stored line of a credit note. */
export const CreditNoteLine = Schema.Struct({
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  description: Schema.String,
  invoiceLine: Schema.NullOr(Schema.Int),
  amount: MinorUnits
}).annotate({ identifier: "CreditNoteLine" })
export interface CreditNoteLine extends Schema.Schema.Type<typeof CreditNoteLine> {}

/** An issued credit note. `amount = credited + refunded`, and the lines add to `amount`. */
export const CreditNote = Schema.Struct({
  id: CreditNoteId,
  number: CreditNoteNumber,
  invoiceId: InvoiceId,
  customerId: CustomerId,
  currency: Currency,
  reason: Schema.String,
  lines: Schema.Array(CreditNoteLine),
  amount: MinorUnits,
  /** The part that reduced the invoice's amount due. */
  credited: MinorUnits,
  /** The part paid back to the customer (the invoice had been paid beyond what was left due). */
  refunded: MinorUnits,
  issuedAt: Schema.DateTimeUtc
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
