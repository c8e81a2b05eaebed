/**
 * The port an operator's request uses to learn whose invoice an id names, before acting on it as
 * that customer (`Tenancy.runAs`, so row-level security still applies to the action itself). The
 * lookup reads only the owner, through the billing worker's read grant on invoices.
 */
import { Context, type Effect, type Option } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"

/** Finds an invoice's customer. */
export class InvoiceDirectory extends Context.Service<
  InvoiceDirectory,
  {
    /** The customer of the invoice, or none when no invoice has this id. */
    readonly customerOf: (
      invoiceId: InvoiceId
    ) => Effect.Effect<Option.Option<CustomerId>, PersistenceFailure>
  }
>()("@securebase/core/billing/InvoiceDirectory") {}
