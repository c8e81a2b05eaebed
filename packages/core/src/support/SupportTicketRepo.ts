/** Port: where support tickets are stored (per customer, under row-level security). */
import { Context, type DateTime, type Effect } from "effect"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Reply, Ticket, TicketDetails, TicketId, TicketStatus } from "./SupportTicket.ts"

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
    /** The ticket with its lifecycle's instants and its replies, oldest first. */
    readonly details: (id: TicketId) => Effect.Effect<TicketDetails, NotFound | PersistenceFailure>
    /**
     * Stores a reply. An operator's first reply records the first response; an operator's reply
     * on an open ticket moves it to `in_progress`.
     */
    readonly addReply: (
      reply: Reply
    ) => Effect.Effect<void, NotFound | TenantAccessDenied | PersistenceFailure>
    /** Moves the ticket to `status` at `at` (resolving or closing records the instant). */
    readonly setStatus: (
      id: TicketId,
      status: TicketStatus,
      at: DateTime.Utc
    ) => Effect.Effect<void, NotFound | PersistenceFailure>
  }
>()("@securebase/core/support/SupportTicketRepo") {}
