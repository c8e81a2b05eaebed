/**
 * The payment provider port (outbound): where customers pay their issued invoices. SecureBase
 * computes the bill; a provider such as Stripe collects the money. `manual` (the embedded default)
 * collects nothing itself: an operator records payments by hand.
 *
 * Every call is idempotent on our ids: the adapter derives its provider-side idempotency keys from
 * the customer id and the invoice id, so a retried push never creates a second invoice (nor a
 * second charge).
 */
import { Context, type DateTime, Effect, Layer, Schema } from "effect"
import type { Invoice } from "../billing/Invoice.ts"
import type { Customer } from "../customer/Customer.ts"

/** The providers a deployment can collect with (`PAYMENTS`). */
export const ProviderName = Schema.Literals(["manual", "stripe"])
export type ProviderName = typeof ProviderName.Type

/** The provider refused or could not be reached. `retryable` for 429, 5xx and network failures. */
export class PaymentProviderError extends Schema.TaggedError<PaymentProviderError>()("PaymentProviderError", {
  provider: Schema.String,
  operation: Schema.String,
  reason: Schema.String,
  /** The provider's HTTP status, when it answered. */
  status: Schema.NullOr(Schema.Number),
  retryable: Schema.Boolean
}) {
  /** Stable error code. */
  readonly code = "PAYMENTS.PROVIDER_FAILURE"
  override get message(): string {
    return `${this.provider} ${this.operation}: ${this.reason}`
  }
}

/** An invoice as the provider holds it. */
export interface PushedInvoice {
  readonly providerInvoiceId: string
  /** The page where the customer pays; null when the provider has none. */
  readonly hostedUrl: string | null
}

/**
 * One of the provider's invoice payments (Stripe's InvoicePayment): which provider invoice a
 * provider payment paid, as the `invoice_payment.paid` event reports it.
 */
export interface InvoicePaymentFound {
  /** The provider's id of the invoice payment (Stripe: `inpay_…`). */
  readonly id: string
  /** The provider invoice it belongs to. */
  readonly providerInvoiceId: string
  /** The provider payment that paid it (Stripe: the PaymentIntent, or the charge). */
  readonly paymentId: string
  /** Minor units paid (0 unless `paid`). */
  readonly amount: bigint
  /** Upper-case ISO 4217 code. */
  readonly currency: string
  /** The provider's status: only `paid` links a payment. */
  readonly status: string
  /** When it was paid (else created). */
  readonly paidAt: DateTime.Utc
}

/** Collects payments of issued invoices. */
export class PaymentProvider extends Context.Service<
  PaymentProvider,
  {
    readonly name: ProviderName
    /**
     * Creates the provider's customer for ours (idempotent on the customer id) and returns its id;
     * null when the provider keeps no customers (`manual`).
     */
    readonly ensureCustomer: (customer: Customer) => Effect.Effect<string | null, PaymentProviderError>
    /**
     * Creates the provider's invoice for an issued invoice, amounts in minor units, our id and
     * number in its metadata (idempotent on the invoice id); null when the provider collects
     * nothing (`manual`).
     */
    readonly pushInvoice: (
      invoice: Invoice,
      providerCustomerId: string
    ) => Effect.Effect<PushedInvoice | null, PaymentProviderError>
    /**
     * The provider's invoice payments of one provider payment (read only, no idempotency key
     * needed): how a refund held for a payment that was never linked finds its invoice. None when
     * the provider collects nothing (`manual`).
     */
    readonly findInvoicePayments: (
      providerPaymentId: string
    ) => Effect.Effect<ReadonlyArray<InvoicePaymentFound>, PaymentProviderError>
  }
>()("@securebase/core/payments/PaymentProvider") {
  /** Manual payments: nothing leaves SecureBase; operators record payments themselves. */
  static readonly manual: Layer.Layer<PaymentProvider> = Layer.succeed(
    PaymentProvider,
    PaymentProvider.of({
      name: "manual",
      ensureCustomer: () => Effect.succeed(null),
      pushInvoice: () => Effect.succeed(null),
      findInvoicePayments: () => Effect.succeed([])
    })
  )
}
