/**
 * The contract every `PaymentRecords` adapter passes: PostgreSQL (PGlite and the real server) and
 * DynamoDB (dynalite) run these same tests. Links are found both ways, the first link stays, a
 * provider id linked to another of ours is refused, an event is recorded once (10 concurrent
 * claims: one true), an older state never overwrites a newer one, and attempts are kept.
 */
import { assert } from "@effect/vitest"
import { type Ids, PaymentRecords } from "@securebase/core"
import { DateTime, Effect, Exit, Option } from "effect"

/** What the contract needs from a store beyond the port. */
export interface Subject<R> {
  /** A fresh customer with one invoice, existing wherever the store requires them to. */
  readonly invoice: Effect.Effect<
    { readonly customerId: Ids.CustomerId; readonly invoiceId: Ids.InvoiceId },
    unknown,
    R
  >
  /** The stored attempt of an event (the port does not read attempts back). */
  readonly attempt: (
    provider: string,
    eventId: string
  ) => Effect.Effect<
    Option.Option<{
      readonly invoiceId: string
      readonly outcome: string
      readonly amount: bigint
      readonly reason: string | null
    }>,
    unknown,
    R
  >
}

/** A name no other test (or run, on a shared store) uses. */
const fresh = (label: string) => `${label}_${globalThis.crypto.randomUUID().replaceAll("-", "")}`

const at = DateTime.makeUnsafe("2026-11-02T10:00:00.000Z")

/** Registers the contract through `test`, which runs a body with the store's `PaymentRecords`. */
export const paymentRecordsContract = <R>(
  test: (name: string, body: Effect.Effect<void, unknown, PaymentRecords.PaymentRecords | R>) => void,
  subject: Subject<R>
) => {
  const records = PaymentRecords.PaymentRecords

  test(
    "a customer link is found both ways; the first link stays; another customer's provider id is refused",
    Effect.gen(function* () {
      const r = yield* records
      const { customerId } = yield* subject.invoice
      const { customerId: other } = yield* subject.invoice
      const cus = fresh("cus")
      assert.isTrue(Option.isNone(yield* r.customerLink("stripe", customerId)))
      assert.isTrue(Option.isNone(yield* r.customerOfProvider("stripe", cus)))
      yield* r.linkCustomer("stripe", customerId, cus)
      assert.deepStrictEqual(yield* r.customerLink("stripe", customerId), Option.some(cus))
      assert.deepStrictEqual(yield* r.customerOfProvider("stripe", cus), Option.some(customerId))
      // Linking again (a retried push) is harmless; a second provider customer does not replace the first.
      yield* r.linkCustomer("stripe", customerId, cus)
      const second = fresh("cus")
      yield* r.linkCustomer("stripe", customerId, second)
      assert.deepStrictEqual(yield* r.customerLink("stripe", customerId), Option.some(cus))
      assert.isTrue(Option.isNone(yield* r.customerOfProvider("stripe", second)))
      // The provider's customer of one of ours cannot become another's.
      const refused = yield* Effect.exit(r.linkCustomer("stripe", other, cus))
      assert.isTrue(Exit.hasDies(refused))
      assert.isTrue(Option.isNone(yield* r.customerLink("stripe", other)))
      assert.deepStrictEqual(yield* r.customerOfProvider("stripe", cus), Option.some(customerId))
      // Another provider is another namespace.
      assert.isTrue(Option.isNone(yield* r.customerOfProvider("other", cus)))
    })
  )

  test(
    "an invoice link is found by our id and by the provider's; the first link stays",
    Effect.gen(function* () {
      const r = yield* records
      const { customerId, invoiceId } = yield* subject.invoice
      const { invoiceId: other, customerId: otherCustomer } = yield* subject.invoice
      const inv = fresh("in")
      const link: PaymentRecords.InvoiceLink = {
        invoiceId,
        customerId,
        provider: "stripe",
        providerInvoiceId: inv,
        hostedUrl: "https://invoice.stripe.test/i/1",
        state: "open",
        stateAt: null
      }
      assert.isTrue(Option.isNone(yield* r.invoiceLink(invoiceId)))
      assert.isTrue(Option.isNone(yield* r.invoiceOfProvider("stripe", inv)))
      yield* r.linkInvoice(link)
      assert.deepStrictEqual(yield* r.invoiceLink(invoiceId), Option.some(link))
      assert.deepStrictEqual(yield* r.invoiceOfProvider("stripe", inv), Option.some(link))
      yield* r.linkInvoice(link)
      const replaced = { ...link, providerInvoiceId: fresh("in"), hostedUrl: null }
      yield* r.linkInvoice(replaced)
      assert.deepStrictEqual(yield* r.invoiceLink(invoiceId), Option.some(link))
      assert.isTrue(Option.isNone(yield* r.invoiceOfProvider("stripe", replaced.providerInvoiceId)))
      const refused = yield* Effect.exit(
        r.linkInvoice({ ...link, invoiceId: other, customerId: otherCustomer })
      )
      assert.isTrue(Exit.hasDies(refused))
      assert.isTrue(Option.isNone(yield* r.invoiceLink(other)))
      // A link without a hosted page and with a state time reads back as written.
      const { customerId: c3, invoiceId: i3 } = yield* subject.invoice
      const dated = {
        ...link,
        invoiceId: i3,
        customerId: c3,
        providerInvoiceId: fresh("in"),
        hostedUrl: null,
        stateAt: at
      }
      yield* r.linkInvoice(dated)
      assert.deepStrictEqual(
        yield* r.invoiceOfProvider("stripe", dated.providerInvoiceId),
        Option.some(dated)
      )
    })
  )

  test(
    "an older state never overwrites a newer one; paid moves only to refunded; the same paid again is a redelivery",
    Effect.gen(function* () {
      const r = yield* records
      const { customerId, invoiceId } = yield* subject.invoice
      const link: PaymentRecords.InvoiceLink = {
        invoiceId,
        customerId,
        provider: "stripe",
        providerInvoiceId: fresh("in"),
        hostedUrl: null,
        state: "open",
        stateAt: null
      }
      yield* r.linkInvoice(link)
      const later = DateTime.add(at, { minutes: 5 })
      const state = Effect.map(r.invoiceLink(invoiceId), (l) => Option.map(l, (x) => [x.state, x.stateAt]))

      assert.isTrue(yield* r.advanceInvoiceState(invoiceId, "payment_failed", later))
      assert.deepStrictEqual(yield* state, Option.some(["payment_failed", later]))
      // Older than the stored state: refused, unchanged.
      assert.isFalse(yield* r.advanceInvoiceState(invoiceId, "paid", at))
      assert.deepStrictEqual(yield* state, Option.some(["payment_failed", later]))
      const paidAt = DateTime.add(later, { minutes: 1 })
      assert.isTrue(yield* r.advanceInvoiceState(invoiceId, "paid", paidAt))
      // A newer failure does not unpay it; the same paid event again answers true (its effect is idempotent).
      assert.isFalse(
        yield* r.advanceInvoiceState(invoiceId, "payment_failed", DateTime.add(paidAt, { minutes: 1 }))
      )
      assert.isTrue(yield* r.advanceInvoiceState(invoiceId, "paid", paidAt))
      assert.isFalse(yield* r.advanceInvoiceState(invoiceId, "paid", DateTime.add(paidAt, { minutes: 1 })))
      assert.deepStrictEqual(yield* state, Option.some(["paid", paidAt]))
      const refundedAt = DateTime.add(paidAt, { hours: 1 })
      assert.isTrue(yield* r.advanceInvoiceState(invoiceId, "refunded", refundedAt))
      assert.deepStrictEqual(yield* state, Option.some(["refunded", refundedAt]))
      // An invoice that was never linked has no state to move.
      const { invoiceId: unlinked } = yield* subject.invoice
      assert.isFalse(yield* r.advanceInvoiceState(unlinked, "paid", at))
    })
  )

  test(
    "an event is recorded once: the second delivery is a duplicate, 10 concurrent claims make one true",
    Effect.gen(function* () {
      const r = yield* records
      const { customerId } = yield* subject.invoice
      const event = { provider: "stripe", id: fresh("evt"), type: "invoice.paid", createdAt: at, customerId }
      assert.isTrue(yield* r.recordEvent(event))
      yield* r.settleEvent(event, "done")
      assert.isFalse(yield* r.recordEvent(event))

      const racing = { ...event, id: fresh("evt"), customerId: null }
      const answers = yield* Effect.all(
        Array.from({ length: 10 }, () =>
          // Another holder's claim in progress is not a second true either.
          r
            .recordEvent(racing)
            .pipe(Effect.catchTag("PaymentEventInProgress", () => Effect.succeed("in progress")))
        ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(answers.filter((a) => a === true).length, 1)
      yield* r.settleEvent(racing, "done")
      assert.isFalse(yield* r.recordEvent(racing))
    })
  )

  test(
    "payment attempts are kept once per event, amounts exact",
    Effect.gen(function* () {
      const r = yield* records
      const { customerId, invoiceId } = yield* subject.invoice
      const eventId = fresh("evt")
      const attempt: PaymentRecords.PaymentAttempt = {
        invoiceId,
        customerId,
        provider: "stripe",
        eventId,
        outcome: "failed",
        amount: 9_007_199_254_740_993n,
        currency: "USD",
        reason: "card declined",
        occurredAt: at
      }
      assert.isTrue(Option.isNone(yield* subject.attempt("stripe", eventId)))
      yield* r.recordAttempt(attempt)
      yield* r.recordAttempt({ ...attempt, outcome: "succeeded", reason: null })
      assert.deepStrictEqual(
        yield* subject.attempt("stripe", eventId),
        Option.some({ invoiceId, outcome: "failed", amount: 9_007_199_254_740_993n, reason: "card declined" })
      )
    })
  )
}
