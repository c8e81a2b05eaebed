/**
 * The port of gap-free credit note numbers (`CN-2026-000001`): the next number of a year,
 * allocated in the current transaction (an operator's, as the customer), so a rollback gives it
 * back and numbers never skip. A sequence of its own, apart from the invoices'.
 */
import { Context, type Effect } from "effect"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import type { CreditNoteNumber } from "./CreditNote.ts"

/** Allocates credit note numbers. */
export class CreditNoteNumbers extends Context.Service<
  CreditNoteNumbers,
  {
    /** The next number of `year`, in the current transaction. */
    readonly next: (year: number) => Effect.Effect<CreditNoteNumber, PersistenceFailure>
  }
>()("@securebase/core/billing/CreditNoteNumbers") {}
