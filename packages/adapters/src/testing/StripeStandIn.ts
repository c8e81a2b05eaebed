/**
 * A STAND-IN for the Stripe API, for tests only. Stripe's own `stripe-mock` is a Go binary that
 * cannot be installed here, so this small HTTP server speaks the subset SecureBase uses
 * (customers, invoices, invoice items, finalize, listing invoice payments by payment intent) the
 * way Stripe does: form-encoded requests,
 * JSON objects with Stripe-shaped ids, `Idempotency-Key` replays (the same key returns the first
 * response and creates nothing), error bodies `{ error: { type, message } }`.
 *
 * It records every request as the official SDK sent it (method, path, idempotency key, the
 * decoded form fields), and can be told to fail the next requests (429, 500, or a dropped
 * connection) or to be down altogether, so tests can drive outages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

/** One request as the stand-in received it. */
export interface Recorded {
  readonly method: string
  readonly path: string
  readonly idempotencyKey: string | undefined
  readonly authorization: string | undefined
  /** The form body, flattened as Stripe encodes it: `metadata[securebase_invoice_id]` → value. */
  readonly form: Readonly<Record<string, string>>
  /** What the stand-in answered. */
  readonly status: number
}

/** A running stand-in. */
export interface StandIn {
  readonly url: URL
  readonly requests: Array<Recorded>
  /** Objects created (idempotent replays create none), by id. */
  readonly objects: Map<string, Record<string, unknown>>
  /** Fail the next `count` requests with `status` (0: drop the connection). */
  readonly failNext: (count: number, status: 429 | 500 | 503 | 0) => void
  /** Fail the next `count` requests whose path matches `path` with `status`. */
  readonly failOn: (path: RegExp, count: number, status: 429 | 500 | 503) => void
  /** While down, every request is answered 503. */
  down: boolean
  /**
   * Records that `paymentIntent` paid `invoice` (an InvoicePayment `inpay_…`, status `paid` unless
   * told), as Stripe does when the hosted page is paid; answers its id.
   */
  readonly payInvoice: (payment: {
    readonly invoice: string
    readonly paymentIntent: string
    readonly amount: number
    readonly currency?: string
    readonly status?: "paid" | "open" | "canceled"
    /** Epoch seconds: its creation, and its payment when paid. */
    readonly paidAt: number
  }) => string
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/** Starts a stand-in on a free loopback port; it stops with the scope. */
export const start = Effect.acquireRelease(
  Effect.promise(async () => {
    let counter = 0
    // Unique across stand-ins: a database outlives one test and its stand-in.
    const instance = crypto.randomUUID().slice(0, 8)
    const nextId = (prefix: string) => `${prefix}_${instance}${String(++counter).padStart(6, "0")}`
    const replays = new Map<string, { status: number; body: string }>()
    const failures: Array<429 | 500 | 503 | 0> = []
    const pathFailures: Array<{ path: RegExp; left: number; status: 429 | 500 | 503 }> = []
    const requests: Array<Recorded> = []
    const objects = new Map<string, Record<string, unknown>>()

    const route = (method: string, path: string, form: Record<string, string>) => {
      const metadata = Object.fromEntries(
        Object.entries(form)
          .filter(([k]) => k.startsWith("metadata["))
          .map(([k, v]) => [k.slice(9, -1), v])
      )
      if (method === "POST" && path === "/v1/customers") {
        const customer = {
          id: nextId("cus"),
          object: "customer",
          name: form.name,
          email: form.email,
          metadata
        }
        objects.set(customer.id, customer)
        return { status: 200, body: customer }
      }
      if (method === "POST" && path === "/v1/invoices") {
        if (form.customer === undefined || !objects.has(form.customer))
          return {
            status: 400,
            body: { error: { type: "invalid_request_error", message: "No such customer" } }
          }
        const invoice = {
          id: nextId("in"),
          object: "invoice",
          customer: form.customer,
          currency: form.currency,
          status: "draft",
          collection_method: form.collection_method,
          description: form.description,
          metadata,
          amount_due: 0,
          hosted_invoice_url: null as string | null
        }
        objects.set(invoice.id, invoice)
        return { status: 200, body: invoice }
      }
      if (method === "POST" && path === "/v1/invoiceitems") {
        const invoice = objects.get(form.invoice ?? "")
        if (invoice === undefined || invoice.status !== "draft")
          return {
            status: 400,
            body: { error: { type: "invalid_request_error", message: "invoice is not a draft" } }
          }
        const item = {
          id: nextId("ii"),
          object: "invoiceitem",
          invoice: form.invoice,
          amount: Number(form.amount),
          currency: form.currency,
          description: form.description
        }
        objects.set(item.id, item)
        invoice.amount_due = (invoice.amount_due as number) + item.amount
        return { status: 200, body: item }
      }
      const finalize = /^\/v1\/invoices\/([^/]+)\/finalize$/.exec(path)
      if (method === "POST" && finalize !== null) {
        const invoice = objects.get(finalize[1]!)
        if (invoice === undefined)
          return {
            status: 404,
            body: { error: { type: "invalid_request_error", message: "No such invoice" } }
          }
        invoice.status = "open"
        invoice.hosted_invoice_url = `https://invoice.stripe.test/i/${invoice.id}`
        return { status: 200, body: invoice }
      }
      if (method === "GET" && path === "/v1/invoice_payments") {
        if (form["payment[type]"] !== "payment_intent" || form["payment[payment_intent]"] === undefined)
          return {
            status: 400,
            body: {
              error: { type: "invalid_request_error", message: "payment[type] payment_intent is required" }
            }
          }
        const data = Array.from(objects.values()).filter(
          (o) =>
            o.object === "invoice_payment" &&
            (o.payment as { payment_intent: string }).payment_intent === form["payment[payment_intent]"]
        )
        return {
          status: 200,
          body: { object: "list", data, has_more: false, url: "/v1/invoice_payments" }
        }
      }
      return {
        status: 404,
        body: { error: { type: "invalid_request_error", message: `no route ${method} ${path}` } }
      }
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const raw = await readBody(req)
      const url = new URL(req.url ?? "/", "http://standin")
      // A GET's parameters are its query, encoded as a POST's form.
      const form = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : raw))
      const path = url.pathname
      const key = req.headers["idempotency-key"] as string | undefined
      const base = {
        method: req.method ?? "",
        path,
        idempotencyKey: key,
        authorization: req.headers.authorization,
        form
      }
      const onPath = pathFailures.find((f) => f.left > 0 && f.path.test(path))
      if (onPath !== undefined) onPath.left--
      const failure = onPath?.status ?? failures.shift()
      if (failure === 0) {
        requests.push({ ...base, status: 0 })
        req.socket.destroy()
        return
      }
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        requests.push({ ...base, status })
        res.writeHead(status, {
          "content-type": "application/json",
          "request-id": `req_${requests.length}`,
          ...headers
        })
        res.end(body)
      }
      if (standIn.down || failure !== undefined) {
        const status = failure ?? 503
        return answer(
          status,
          JSON.stringify({
            error: {
              type: status === 429 ? "rate_limit_error" : "api_error",
              message: `stand-in answers ${status}`
            }
          })
        )
      }
      const replayKey = key === undefined ? undefined : `${req.method} ${path} ${key}`
      const replay = replayKey === undefined ? undefined : replays.get(replayKey)
      if (replay !== undefined) return answer(replay.status, replay.body, { "idempotent-replayed": "true" })
      const { status, body } = route(req.method ?? "", path, form)
      const text = JSON.stringify(body)
      if (replayKey !== undefined && status < 500) replays.set(replayKey, { status, body: text })
      return answer(status, text)
    }

    const server: Server = createServer((req, res) => {
      handle(req, res).catch((error) => {
        res.writeHead(500)
        res.end(String(error))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as AddressInfo).port
    const standIn: StandIn & { server: Server } = {
      server,
      url: new URL(`http://127.0.0.1:${port}`),
      requests,
      objects,
      failNext: (count, status) => {
        for (let i = 0; i < count; i++) failures.push(status)
      },
      failOn: (path, count, status) => {
        pathFailures.push({ path, left: count, status })
      },
      down: false,
      payInvoice: (payment) => {
        const created = payment.paidAt
        const status = payment.status ?? "paid"
        const invoicePayment = {
          id: nextId("inpay"),
          object: "invoice_payment",
          amount_paid: status === "paid" ? payment.amount : 0,
          amount_requested: payment.amount,
          created,
          currency: payment.currency ?? "usd",
          invoice: payment.invoice,
          is_default: true,
          livemode: false,
          payment: { type: "payment_intent", payment_intent: payment.paymentIntent },
          status,
          status_transitions: { canceled_at: null, paid_at: status === "paid" ? created : null }
        }
        objects.set(invoicePayment.id, invoicePayment)
        return invoicePayment.id
      }
    }
    return standIn
  }),
  (standIn) =>
    Effect.promise(
      () =>
        new Promise<void>((resolve) => {
          standIn.server.closeAllConnections()
          standIn.server.close(() => resolve())
        })
    )
)
