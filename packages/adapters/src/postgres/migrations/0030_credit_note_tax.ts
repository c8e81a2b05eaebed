/**
 * Credit notes state the tax they reverse: `credit_notes.tax_lines`, per tax line of the invoice
 * (jurisdiction, name, rate, amount in minor units as text), by D'Hondt apportionment of the
 * cumulative credit (core `CreditNoteTax`). Written in the same INSERT as the note, for every note
 * issued from now on (`[]` for a tax-exempt invoice); the note's tax and net are read from it.
 *
 * Notes issued before this migration keep NULL: their split was never stated, and this migration
 * does not invent one after the fact (a note is a document already sent), so the API shows their
 * `taxLines`, `tax` and `net` as null. A later note's split still counts them, through their
 * amounts. Adding a nullable column changes no row, so `FORCE ROW LEVEL SECURITY` stays on and the
 * table-level grants (the application's and the payments worker's INSERT, 0015 and 0019) cover the
 * new column.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 30,
  name: "credit_note_tax",
  statements: [
    stmt`ALTER TABLE credit_notes ADD COLUMN tax_lines jsonb
      CHECK (tax_lines IS NULL OR jsonb_typeof(tax_lines) = 'array')`
  ]
}
