/**
 * `POST /webhooks/stripe`: the payment provider's webhook, outside tenant authentication (the
 * signature is the credential). The raw body is read as bytes (within the body limit) and given,
 * untouched, to the deployment's verifier (`PaymentEvent.PaymentWebhooks`: Stripe's
 * `constructEvent`), then processed exactly once (`ProcessPaymentEvent`).
 *
 * - 200 `{ received: true, outcome }` for every verified event, handled or not (a duplicate, an
 *   unknown type), so the provider stops retrying it;
 * - 400 `WEBHOOK.REJECTED` for an unsigned, forged, stale or malformed request (the provider's
 *   retry of a request that cannot verify would fail again);
 * - 404 `WEBHOOK.DISABLED` when the deployment collects payments manually;
 * - 503 when the database could not record it: the provider retries later, and nothing was
 *   applied (the event id commits with its effect).
 */
import {
  type AuditLog,
  type Authenticator,
  type CustomerRepo,
  type InvoiceRepo,
  type PaymentCustomerDetails,
  PaymentEvent,
  type PaymentRecords,
  type PaymentSubscriptions,
  ProcessPaymentEvent,
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
 * The route, over the services of the layer's context (tenancy, the payment records,
 * subscriptions and customer details' order, invoices, customers, audit, the authenticator), captured when the layer is built.
 */
export const layer = HttpRouter.use(
  Effect.fnUntraced(function* (router) {
    const context = yield* Effect.context<
      | Tenancy.Tenancy
      | PaymentRecords.PaymentRecords
      | PaymentCustomerDetails.PaymentCustomerDetails
      | PaymentSubscriptions.PaymentSubscriptions
      | InvoiceRepo.InvoiceRepo
      | CustomerRepo.CustomerRepo
      | AuditLog.AuditLog
      | Authenticator.Authenticator
    >()
    yield* router.add("POST", path, (request) => Effect.provideContext(handle(request), context))
  })
)
