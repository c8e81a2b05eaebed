/**
 * `PaymentProvider` on Stripe, with the official SDK.
 *
 * An issued invoice becomes a Stripe **Invoice** with one invoice item per line (net of the line's
 * discount share) and one per tax line, then finalized: Stripe then hosts the payment page
 * (`hosted_invoice_url`, which we store and show) and e-mails nothing on its own. Invoices rather
 * than a bare PaymentIntent, because the customer sees the same lines as on our invoice, and
 * Stripe's receipts and `invoice.*` events come with it. The items add up exactly to our total
 * (checked before anything is sent): discounts are already allocated to lines, and the taxes are
 * ours, not Stripe Tax's.
 *
 * Idempotency: every POST carries a key derived from our ids (`securebase:invoice:<id>:create`,
 * `…:item:<position>`, `…:tax:<n>`, `…:finalize`, `securebase:customer:<id>`), so a retried push
 * (a timeout after Stripe answered, a crash before our commit) never creates a second invoice nor
 * a second charge. Stripe keeps keys for 24 hours; past that, our link table
 * (`payment_invoices`) is what stops a second push. Metadata `securebase_invoice_id`,
 * `securebase_invoice_number` and `securebase_customer_id` tie Stripe's objects back to ours.
 */
import { type Customer, type Invoice, PaymentProvider } from "@securebase/core"
import { DateTime, Effect, Layer, Option } from "effect"
import type Stripe from "stripe"
import * as StripeClient from "./StripeClient.ts"

/** The provider's settings. */
export interface Options extends StripeClient.ClientOptions {
  readonly retry?: StripeClient.CallRetry | undefined
}

/** One Stripe invoice item of ours: an amount in minor units and what it is. */
export interface Item {
  readonly key: string
  readonly amount: number
  readonly description: string
}

const minor = (amount: bigint, what: string): Effect.Effect<number, PaymentProvider.PaymentProviderError> =>
  amount >= 0n && amount <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Effect.succeed(Number(amount))
    : Effect.fail(
        new PaymentProvider.PaymentProviderError({
          provider: "stripe",
          operation: "pushInvoice",
          reason: `${what} ${amount} is outside what Stripe accepts`,
          status: null,
          retryable: false
        })
      )

/**
 * The invoice items of an invoice: each line net of its discount share, then each tax line. They
 * add up to the invoice's total, or the push is refused (never a Stripe invoice for another sum).
 */
export const items = (invoice: Invoice.Invoice) =>
  Effect.gen(function* () {
    const out: Array<Item> = []
    for (const line of invoice.lines) {
      out.push({
        key: `item:${line.position}`,
        amount: yield* minor(line.amount - line.discount, `line ${line.position}`),
        description: line.discount > 0n ? `${line.description} (after discount)` : line.description
      })
    }
    for (const [i, tax] of invoice.taxLines.entries()) {
      out.push({
        key: `tax:${i + 1}`,
        amount: yield* minor(tax.amount, `tax line ${i + 1}`),
        description: `${tax.name} (${tax.jurisdiction})`
      })
    }
    const sum = out.reduce((total, item) => total + BigInt(item.amount), 0n)
    if (sum !== invoice.total) {
      return yield* new PaymentProvider.PaymentProviderError({
        provider: "stripe",
        operation: "pushInvoice",
        reason: `the items add up to ${sum}, not the invoice's total ${invoice.total}`,
        status: null,
        retryable: false
      })
    }
    return out
  })

const idOf = (x: string | { readonly id?: string | undefined } | null | undefined): string | null =>
  typeof x === "string" ? x : (x?.id ?? null)

/** An InvoicePayment as the port reads it (the fields `invoice_payment.paid` carries); none if unusable. */
export const invoicePaymentOf = (
  p: Stripe.InvoicePayment
): ReadonlyArray<PaymentProvider.InvoicePaymentFound> => {
  const invoice = idOf(p.invoice)
  const paymentId = idOf(p.payment.payment_intent) ?? idOf(p.payment.charge)
  const paidAt = DateTime.make((p.status_transitions.paid_at ?? p.created) * 1000)
  if (invoice === null || paymentId === null || Option.isNone(paidAt)) return []
  return [
    {
      id: p.id,
      providerInvoiceId: invoice,
      paymentId,
      amount: BigInt(Number.isSafeInteger(p.amount_paid) ? (p.amount_paid ?? 0) : 0),
      currency: p.currency.toUpperCase(),
      status: p.status,
      paidAt: paidAt.value
    }
  ]
}

/** Builds the provider over an SDK client. */
export const make = (stripe: Stripe, retry: StripeClient.CallRetry = StripeClient.defaultRetry) => {
  const ensureCustomer = (customer: Customer.Customer) =>
    Effect.map(
      StripeClient.call(
        "customers.create",
        () =>
          stripe.customers.create(
            {
              name: customer.name,
              email: customer.email,
              metadata: { securebase_customer_id: customer.id }
            },
            { idempotencyKey: `securebase:customer:${customer.id}` }
          ),
        retry
      ),
      (created) => created.id
    )

  const pushInvoice = (invoice: Invoice.Invoice, providerCustomerId: string) =>
    Effect.gen(function* () {
      const lines = yield* items(invoice)
      const key = (step: string) => `securebase:invoice:${invoice.id}:${step}`
      const currency = invoice.currency.toLowerCase()
      const metadata = {
        securebase_invoice_id: invoice.id,
        securebase_invoice_number: invoice.number ?? "",
        securebase_customer_id: invoice.customerId
      }
      const now = yield* DateTime.now
      // Stripe wants a due date in the future: ours when it is, else due on finalization.
      const due =
        invoice.dueAt !== null && DateTime.isGreaterThan(invoice.dueAt, DateTime.add(now, { hours: 1 }))
          ? { due_date: Math.floor(DateTime.toEpochMillis(invoice.dueAt) / 1000) }
          : { days_until_due: 0 }
      const created = yield* StripeClient.call(
        "invoices.create",
        () =>
          stripe.invoices.create(
            {
              customer: providerCustomerId,
              currency,
              collection_method: "send_invoice",
              ...due,
              auto_advance: false,
              pending_invoice_items_behavior: "exclude",
              description: `Invoice ${invoice.number ?? invoice.id} for ${invoice.period}`,
              metadata
            },
            { idempotencyKey: key("create") }
          ),
        retry
      )
      const stripeInvoiceId = created.id as string
      for (const item of lines) {
        yield* StripeClient.call(
          "invoiceItems.create",
          () =>
            stripe.invoiceItems.create(
              {
                customer: providerCustomerId,
                invoice: stripeInvoiceId,
                currency,
                amount: item.amount,
                description: item.description,
                metadata: { securebase_invoice_id: invoice.id }
              },
              { idempotencyKey: key(item.key) }
            ),
          retry
        )
      }
      const finalized = yield* StripeClient.call(
        "invoices.finalizeInvoice",
        () =>
          stripe.invoices.finalizeInvoice(
            stripeInvoiceId,
            { auto_advance: false },
            { idempotencyKey: key("finalize") }
          ),
        retry
      )
      return {
        providerInvoiceId: stripeInvoiceId,
        hostedUrl: finalized.hosted_invoice_url ?? null
      } satisfies PaymentProvider.PushedInvoice
    })

  // Stripe lists invoice payments by PaymentIntent (or payment record), not by charge: a charge
  // paid without a PaymentIntent cannot be looked up, and says so rather than "none".
  const findInvoicePayments = (providerPaymentId: string) =>
    providerPaymentId.startsWith("pi_")
      ? Effect.map(
          StripeClient.call(
            "invoicePayments.list",
            () =>
              stripe.invoicePayments.list({
                payment: { type: "payment_intent", payment_intent: providerPaymentId },
                limit: 10
              }),
            retry
          ),
          (list) => list.data.flatMap((p) => invoicePaymentOf(p))
        )
      : Effect.fail(
          new PaymentProvider.PaymentProviderError({
            provider: "stripe",
            operation: "invoicePayments.list",
            reason: `Stripe lists invoice payments by payment intent only, not ${providerPaymentId}`,
            status: null,
            retryable: false
          })
        )

  return PaymentProvider.PaymentProvider.of({
    name: "stripe",
    ensureCustomer,
    pushInvoice,
    findInvoicePayments
  })
}

/** `PaymentProvider` on Stripe. */
export const layer = (options: Options): Layer.Layer<PaymentProvider.PaymentProvider> =>
  Layer.sync(PaymentProvider.PaymentProvider, () => make(StripeClient.make(options), options.retry))
