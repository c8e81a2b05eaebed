/**
 * Events from the payment provider (its webhooks), verified by the provider's adapter and reduced
 * to the few facts SecureBase acts on. The raw event never crosses the port: the adapter checks
 * the signature on the raw body, then decodes.
 */
import { Context, type DateTime, Effect, Schema } from "effect"

/** What an event says about one of the provider's invoices (or payments of one). */
export interface InvoiceFacts {
  /** The provider's invoice id; null for a payment that names none. */
  readonly providerInvoiceId: string | null
  /** The provider's payment (or charge) id, when the object is one (not an invoice). */
  readonly paymentId?: string | null | undefined
  /**
   * The provider payment that `PaymentLinks` keys: the one an invoice payment event reports as
   * paying the invoice, or the one a charge belongs to (Stripe: the PaymentIntent, else the charge).
   */
  readonly linkedPaymentId?: string | null | undefined
  /** Our invoice id from the provider object's metadata (`securebase_invoice_id`), when set. */
  readonly securebaseInvoiceId: string | null
  /** Minor units (paid, attempted, or a charge's cumulative refunded amount). */
  readonly amount: bigint
  /** Upper-case ISO 4217 code. */
  readonly currency: string
  /** Why a payment failed, when it did. */
  readonly reason: string | null
  /**
   * The refunds a refund event lists (a charge's `refunds`, newest first), when it lists them:
   * Stripe's charges carry them only when expanded, so they name refunds, the amount decides.
   */
  readonly refunds?: ReadonlyArray<Refund> | undefined
  /** Which collection attempt failed (1 for the first), when the provider numbers them. */
  readonly attempt?: number | undefined
}

/** One refund of a payment, as the provider reports it. */
export interface Refund {
  /** The provider's refund id (named in the credit note's reason). */
  readonly id: string
  /** Minor units paid back. */
  readonly amount: bigint
}

/** A postal address as the provider holds it (every part optional there; ours decides). */
export interface AddressFacts {
  readonly line1: string | null
  readonly line2: string | null
  readonly city: string | null
  /** The state, province or region. */
  readonly region: string | null
  readonly postalCode: string | null
  /** As the provider gives it (ISO 3166-1 alpha-2 for Stripe). */
  readonly country: string | null
}

/** What a `customer.updated` event says about the provider's customer. */
export interface CustomerFacts {
  /** The provider's customer id. */
  readonly providerCustomerId: string
  /** Its e-mail, when it has one. */
  readonly email: string | null
  /** Its address, when it has one. */
  readonly address: AddressFacts | null
}

/** What a subscription event says about one of the provider's subscriptions. */
export interface SubscriptionFacts {
  /** The provider's subscription id. */
  readonly providerSubscriptionId: string
  /** The provider customer it bills. */
  readonly providerCustomerId: string
  /** The provider's status (`active`, `past_due`, `canceled`, …). */
  readonly status: string
  /**
   * Our plan code, from the subscription's metadata `securebase_plan` or else its first item's
   * price's; null when neither names one.
   */
  readonly planCode: string | null
}

/** A verified provider event. */
export interface PaymentEvent {
  readonly provider: string
  /** The provider's event id: the key of exactly-once processing. */
  readonly id: string
  readonly type: string
  /** When the provider created the event: orders events about one object. */
  readonly createdAt: DateTime.Utc
  readonly invoice: InvoiceFacts | null
  /** The provider customer the event is about, when it names one. */
  readonly providerCustomerId: string | null
  /** The customer's facts of a `customer.updated` event (absent or null otherwise). */
  readonly customer?: CustomerFacts | null | undefined
  /** The subscription's facts of a `customer.subscription.*` event (absent or null otherwise). */
  readonly subscription?: SubscriptionFacts | null | undefined
}

/** Why a webhook request was refused. */
export const RejectionReason = Schema.Literals([
  /** No signature header. */
  "missing_signature",
  /** No configured secret signed this body (forged, or signed with a retired secret). */
  "invalid_signature",
  /** Signed, but older than the tolerance (a replay of an old delivery). */
  "stale",
  /** Signed, but not an event we can read. */
  "malformed"
])
export type RejectionReason = typeof RejectionReason.Type

/** The webhook request is refused (answered 400): unsigned, forged, stale or malformed. */
export class WebhookRejected extends Schema.TaggedError<WebhookRejected>()("WebhookRejected", {
  reason: RejectionReason,
  detail: Schema.String
}) {
  /** Stable error code. */
  readonly code = "WEBHOOK.REJECTED"
}

/** This deployment receives no payment webhooks (`PAYMENTS=manual`): answered 404. */
export class WebhooksDisabled extends Schema.TaggedError<WebhooksDisabled>()("WebhooksDisabled", {
  provider: Schema.String
}) {
  /** Stable error code. */
  readonly code = "WEBHOOK.DISABLED"
}

/** Verifies and reads the provider's webhook requests. */
export interface Verifier {
  readonly provider: string
  /** Checks `signature` over the exact raw `body` and reads the event. */
  readonly verify: (
    body: Uint8Array,
    signature: string | undefined
  ) => Effect.Effect<PaymentEvent, WebhookRejected | WebhooksDisabled>
}

/** The verifier of this deployment; without a provider every webhook is `WebhooksDisabled`. */
export const PaymentWebhooks = Context.Reference<Verifier>("@securebase/core/payments/PaymentWebhooks", {
  defaultValue: () => ({
    provider: "manual",
    verify: () => Effect.fail(new WebhooksDisabled({ provider: "manual" }))
  })
})
