/** Port: where support tickets are stored (per customer, under row-level security). */
import { Context, type Effect } from "effect"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Ticket, TicketId, TicketStatus } from "./SupportTicket.ts"

/** Stores support tickets. */
export class SupportTicketRepo extends Context.Service<
  SupportTicketRepo,
  {
    readonly insert: (
      ticket: Ticket
    ) => Effect.Effect<Ticket, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /** The current tenant's tickets, newest first. */
    readonly list: (filter: {
      readonly status?: TicketStatus
    }) => Effect.Effect<ReadonlyArray<Ticket>, PersistenceFailure>
    /** One of the current tenant's tickets (another tenant's is `NotFound`, like an unknown id). */
    readonly findById: (id: TicketId) => Effect.Effect<Ticket, NotFound | PersistenceFailure>
  }
>()("@securebase/core/support/SupportTicketRepo") {}
