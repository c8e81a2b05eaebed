/**
 * How this deployment collects payments, as the billing run and the daily job see it: queue the
 * push of issued invoices (in the issuing transaction) and deliver the queue. The default is
 * manual collection, where both do nothing, so the embedded default and every existing driver
 * need nothing new; a deployment with a provider provides {@link layer}.
 */
import { Context, type DateTime, Effect, Layer, Option } from "effect"
import type { AuditLog } from "../audit/AuditLog.ts"
import type { Invoice } from "../billing/Invoice.ts"
import type { InvoiceRepo } from "../billing/InvoiceRepo.ts"
import type { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { InvoiceId } from "../Ids.ts"
import type * as Delivery from "../notifications/Delivery.ts"
import type { Outbox } from "../notifications/Outbox.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { Tenancy } from "../tenancy/Tenancy.ts"
import * as LookUpHeldRefunds from "./LookUpHeldRefunds.ts"
import { PaymentProvider } from "./PaymentProvider.ts"
import { PaymentPushes } from "./PaymentPushes.ts"
import { PaymentRecords } from "./PaymentRecords.ts"
import * as PushDelivery from "./PushDelivery.ts"

/** The collection of payments. */
export interface Collection {
  /** `manual`, or the provider invoices are pushed to. */
  readonly provider: string
  /**
   * Queues the push of freshly issued invoices, in the caller's (issuing) transaction; with
   * `notify: false` (history billed without notice) the push mails nothing when it ends.
   */
  readonly enqueue: (
    invoices: ReadonlyArray<Invoice>,
    at: DateTime.Utc,
    options?: { readonly notify?: boolean }
  ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
  /**
   * The hosted payment page of a pushed invoice, read in the caller's transaction (under its
   * tenancy): null until the push has delivered, when the provider hosts no page, and always with
   * manual collection (which reads nothing).
   */
  readonly payUrl: (invoiceId: InvoiceId) => Effect.Effect<string | null, PersistenceFailure>
  /** Pushes what is due (its own worker transactions); `undefined` report when manual. */
  readonly deliver: Effect.Effect<
    PushDelivery.PushReport | undefined,
    TenantAccessDenied | PersistenceFailure
  >
  /**
   * Looks up at the provider the payments of refunds held for a link that never came
   * (`LookUpHeldRefunds`): those due, or with `all` every one; `undefined` report when manual
   * (nothing is ever held).
   */
  readonly lookUpHeldRefunds: (options?: {
    readonly all?: boolean
  }) => Effect.Effect<LookUpHeldRefunds.LookupReport | undefined, PersistenceFailure>
}

/** Manual collection: nothing is queued or pushed. */
export const manual: Collection = {
  provider: "manual",
  enqueue: () => Effect.void,
  payUrl: () => Effect.succeed(null),
  deliver: Effect.succeed(undefined),
  lookUpHeldRefunds: () => Effect.succeed(undefined)
}

/**
 * Whether invoices are collected online: then an invoice's e-mail waits for its push and is
 * queued by it, with the hosted payment link (`PushDelivery`), not by the issuing transaction.
 */
export const isOnline = (collection: Collection): boolean => collection.provider !== manual.provider

/** The deployment's collection; manual unless provided. */
export const PaymentCollection = Context.Reference<Collection>(
  "@securebase/core/payments/PaymentCollection",
  {
    defaultValue: () => manual
  }
)

/** What looking up held refunds needs besides the pushes' services: what applying an event needs. */
type LookUpRequirements = Effect.Services<ReturnType<typeof LookUpHeldRefunds.run>>

/**
 * Collection through the provider and stores of the context, pushes retried with `policy`, held
 * refunds' lookups with `lookups` (`LookUpHeldRefunds.defaultPolicy` unless given).
 */
export const layer = (
  options: {
    readonly policy?: Delivery.RetrySchedule
    readonly concurrency?: number
    readonly lookups?: LookUpHeldRefunds.Options
  } = {}
) =>
  Layer.effect(
    PaymentCollection,
    Effect.gen(function* () {
      const context = yield* Effect.context<
        | PaymentProvider
        | PaymentPushes
        | PaymentRecords
        | Tenancy
        | InvoiceRepo
        | CustomerRepo
        | AuditLog
        | Outbox
        | LookUpRequirements
      >()
      const pushes = Context.get(context, PaymentPushes)
      const records = Context.get(context, PaymentRecords)
      return {
        provider: Context.get(context, PaymentProvider).name,
        enqueue: (invoices, at, options) =>
          invoices.length === 0
            ? Effect.void
            : pushes.enqueue(
                invoices.map((i) => ({
                  invoiceId: i.id,
                  customerId: i.customerId,
                  createdAt: at,
                  notify: options?.notify !== false
                }))
              ),
        payUrl: (invoiceId) =>
          Effect.map(records.invoiceLink(invoiceId), (link) =>
            Option.isSome(link) ? link.value.hostedUrl : null
          ),
        deliver: Effect.provideContext(PushDelivery.deliverDue(options), context),
        lookUpHeldRefunds: (run) =>
          Effect.provideContext(
            LookUpHeldRefunds.run({ ...options.lookups, ...(run?.all === true ? { all: true } : {}) }),
            context
          )
      } satisfies Collection
    })
  )
