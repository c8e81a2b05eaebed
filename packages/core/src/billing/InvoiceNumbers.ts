/**
 * The port of gap-free invoice numbers: the next number of a year, allocated in the current
 * (worker) transaction, so a rollback gives it back and numbers never skip.
 */
import { Context, type Effect } from "effect"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { InvoiceNumber } from "./Invoice.ts"

/** Allocates invoice numbers. */
export class InvoiceNumbers extends Context.Service<
  InvoiceNumbers,
  {
    /** The next number of `year` (`INV-2026-000124` after `…123`), in the current transaction. */
    readonly next: (year: number) => Effect.Effect<InvoiceNumber, TenantAccessDenied | PersistenceFailure>
    /** The next `count` consecutive numbers of `year` in one step (batch mode). */
    readonly nextBlock: (
      year: number,
      count: number
    ) => Effect.Effect<ReadonlyArray<InvoiceNumber>, TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/billing/InvoiceNumbers") {}
