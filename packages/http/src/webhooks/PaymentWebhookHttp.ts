/**
 * `POST /webhooks/stripe`: the payment provider's webhook, outside tenant authentication (the
 * signature is the credential). The raw body is read as bytes (within the body limit) and given,
 * untouched, to the deployment's verifier (`PaymentEvent.PaymentWebhooks`: Stripe's
 * `constructEvent`), then processed exactly once (`ProcessPaymentEvent`).
 *
 * - 200 `{ received: true, outcome }` for every verified event, handled or not (a duplicate, an
 *   unknown type, one `refused` because it contradicts our books: retrying would not change
 *   that; a refund `pending` its payment's link, held until the link arrives), so the provider
 *   stops retrying it;
 * - 400 `WEBHOOK.REJECTED` for an unsigned, forged, stale or malformed request (the provider's
 *   retry of a request that cannot verify would fail again);
 * - 404 `WEBHOOK.DISABLED` when the deployment collects payments manually;
 * - 409 `WEBHOOK.IN_PROGRESS` while another delivery of the same event is being processed (with
 *   the DynamoDB records: its claim's lease has not expired): nothing was done, the provider
 *   retries later;
 * - 503 when the database could not record it: the provider retries later, and nothing was
 *   applied (the event id commits with its effect; with the DynamoDB records, a claim whose effect
 *   failed is released, and one whose effect committed but could not be marked done is finished
 *   by the redelivery after its lease, which finds the invoice already paid).
 */
import {
  type AuditLog,
  type Authenticator,
  type CreditNoteNumbers,
  type CustomerRepo,
  type DunningSteps,
  type InvoiceRepo,
  type Outbox,
  type PaymentCustomerDetails,
  PaymentEvent,
  type PaymentLinks,
  type PaymentRecords,
  type PaymentRefunds,
  type PaymentSubscriptions,
  type PendingRefunds,
  ProcessPaymentEvent,
  type ReceivablesRepo,
  type Tenancy
} from "@securebase/core"
import { Effect } from "effect"
import { HttpRouter, type HttpServerRequest, HttpServerResponse } from "effect/http"
import { errorResponse } from "../server/ErrorResponses.ts"

/** Where the provider posts its events. */
export const path = "/webhooks/stripe"

const handle = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    const verifier = yield* PaymentEvent.PaymentWebhooks
    const signature = request.headers["stripe-signature"]
    const body = new Uint8Array(yield* request.arrayBuffer)
    const event = yield* verifier.verify(body, signature)
    const outcome = yield* ProcessPaymentEvent.process(event)
    return HttpServerResponse.jsonUnsafe({ received: true, id: event.id, outcome }, { status: 200 })
  }).pipe(
    Effect.catchTags({
      WebhookRejected: (e) =>
        Effect.succeed(
          errorResponse(400, { _tag: e._tag, code: e.code, message: `${e.reason}: ${e.detail}` })
        ),
      WebhooksDisabled: (e) =>
        Effect.succeed(
          errorResponse(404, {
            _tag: e._tag,
            code: e.code,
            message: "this deployment collects payments manually (PAYMENTS=manual)"
          })
        ),
      PaymentEventInProgress: (e) =>
        Effect.succeed(
          errorResponse(409, {
            _tag: e._tag,
            code: "WEBHOOK.IN_PROGRESS",
            message: "another delivery of this event is being processed; retry later"
          })
        ),
      PersistenceFailure: (e) =>
        Effect.as(
          Effect.logError(`webhook not recorded: ${e.operation}: ${e.kind}`),
          errorResponse(503, {
            _tag: "ServiceUnavailable",
            code: "WEBHOOK.NOT_RECORDED",
            message: "the event could not be recorded; retry later"
          })
        )
    })
  )

/**
 * The route, over the services of the layer's context (tenancy, the payment records, the credited
 * refunds, the payment links and the refunds waiting for them, subscriptions and customer details'
 * order, invoices and their receivables, credit note numbers, dunning steps, customers, the outbox,
 * audit, the authenticator), captured when the layer is built: the server's request context does
 * not carry them.
 */
export const layer = HttpRouter.use(
  Effect.fnUntraced(function* (router) {
    const context = yield* Effect.context<
      | Tenancy.Tenancy
      | PaymentRecords.PaymentRecords
      | PaymentRefunds.PaymentRefunds
      | PaymentLinks.PaymentLinks
      | PendingRefunds.PendingRefunds
      | PaymentCustomerDetails.PaymentCustomerDetails
      | PaymentSubscriptions.PaymentSubscriptions
      | InvoiceRepo.InvoiceRepo
      | ReceivablesRepo.ReceivablesRepo
      | CreditNoteNumbers.CreditNoteNumbers
      | DunningSteps.DunningSteps
      | CustomerRepo.CustomerRepo
      | Outbox.Outbox
      | AuditLog.AuditLog
      | Authenticator.Authenticator
    >()
    yield* router.add("POST", path, (request) => Effect.provideContext(handle(request), context))
  })
)
