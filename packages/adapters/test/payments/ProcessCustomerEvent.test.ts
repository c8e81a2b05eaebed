/**
 * Stripe's customer and subscription events processed exactly once on PostgreSQL (PGlite, and the
 * real server when DATABASE_URL is set, where the concurrency is real): the billing e-mail and
 * address follow the Stripe customer (or the event is refused whole), the plan follows the
 * subscription's `securebase_plan`, a deleted subscription closes the customer, an older event
 * never overwrites a newer state, and the subscriptions are tenant rows. The events are Stripe's
 * JSON, read by the adapter's own `StripeWebhooks.toPaymentEvent`.
 */
import { assert } from "@effect/vitest"
import {
  Customer,
  CustomerRepo,
  type Ids,
  type PaymentEvent,
  PaymentRecords,
  PaymentSubscriptions,
  ProcessPaymentEvent,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect, Layer, Option, Result } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBilling from "../../src/postgres/PgBilling.ts"
import * as PgCreditNoteNumbers from "../../src/postgres/PgCreditNoteNumbers.ts"
import * as PgPaymentCustomerDetails from "../../src/postgres/PgPaymentCustomerDetails.ts"
import * as PgPaymentLinks from "../../src/postgres/PgPaymentLinks.ts"
import * as PgPaymentRecords from "../../src/postgres/PgPaymentRecords.ts"
import * as PgPaymentRefunds from "../../src/postgres/PgPaymentRefunds.ts"
import * as PgPaymentSubscriptions from "../../src/postgres/PgPaymentSubscriptions.ts"
import * as PgPendingRefunds from "../../src/postgres/PgPendingRefunds.ts"
import * as StripeWebhooks from "../../src/stripe/StripeWebhooks.ts"
import { authLayer } from "../auth/fixtures.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"

// The webhook's whole processing needs the invoice side's stores too (one `process` serves both).
const layers = Layer.mergeAll(
  Fixtures.adapters,
  PgBilling.layer,
  PgCreditNoteNumbers.layer,
  PgPaymentRefunds.layer,
  PgPaymentLinks.layer,
  PgPendingRefunds.layer,
  PgPaymentRecords.layer,
  PgPaymentSubscriptions.layer,
  PgPaymentCustomerDetails.layer,
  authLayer()
)

const address = { line1: "1 Old Street", city: "London", postalCode: "EC1V 9HL", country: "GB" } as const

/** A standard-plan customer linked to a fresh Stripe customer id. */
const linkedCustomer = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  const stripeId = `cus_${crypto.randomUUID().replaceAll("-", "").slice(0, 14)}`
  yield* tenancy.runAs(
    id,
    CustomerRepo.CustomerRepo.use((r) =>
      r.insert(
        new Customer.Customer({
          id,
          name: "Acme Corp",
          email: "billing@acme.test",
          plan: "standard",
          status: "active",
          taxProfile: {},
          netDays: 30,
          billingAddress: address
        })
      )
    )
  )
  yield* tenancy.runAsWorker(PaymentRecords.PaymentRecords.use((r) => r.linkCustomer("stripe", id, stripeId)))
  return { id, stripeId }
}).pipe(Effect.orDie)

/** A Stripe event (as Stripe sends it), read by the adapter. */
const stripeEvent = (type: string, object: Record<string, unknown>, created: DateTime.Utc) => {
  const read = StripeWebhooks.toPaymentEvent({
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    created: Math.floor(DateTime.toEpochMillis(created) / 1000),
    type,
    data: { object }
  })
  if (Result.isFailure(read)) throw new Error(read.failure)
  return read.success
}

const stripeCustomer = (stripeId: string, fields: Record<string, unknown>) => ({
  id: stripeId,
  object: "customer",
  name: "Acme (Stripe's name)",
  ...fields
})

const subscription = (
  subId: string,
  stripeId: string,
  status: string,
  plan: string | null,
  where: "subscription" | "price" = "subscription"
) => ({
  id: subId,
  object: "subscription",
  customer: stripeId,
  status,
  metadata: where === "subscription" && plan !== null ? { securebase_plan: plan } : {},
  items: {
    object: "list",
    data: [
      {
        id: "si_1",
        price: {
          id: "price_1",
          metadata: where === "price" && plan !== null ? { securebase_plan: plan } : {}
        }
      }
    ]
  }
})

const customerOf = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (t) =>
    t.runAs(
      id,
      CustomerRepo.CustomerRepo.use((r) => r.findById(id))
    )
  ).pipe(Effect.orDie)

/** The customer's audit events (privileged read): action, actor and payload. */
const auditsOf = (id: Ids.CustomerId) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ action: string; actor: string; payload: Record<string, unknown> }>`
      SELECT action, actor, payload FROM audit_events WHERE customer_id = ${id} ORDER BY seq`.pipe(
      Effect.orDie
    )
  )

const recorded = (event: PaymentEvent.PaymentEvent) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM payment_webhook_events WHERE event_id = ${event.id}`.pipe(
      Effect.map((rows) => rows[0]!.n),
      Effect.orDie
    )
  )

suite("ProcessCustomerEvent (Stripe customer and subscription events)", (it) => {
  it.effect(
    "customer.updated: the billing e-mail and address become Stripe's, audited by the payments worker",
    () =>
      Effect.gen(function* () {
        const { id, stripeId } = yield* linkedCustomer
        const now = yield* DateTime.now
        const updated = stripeEvent(
          "customer.updated",
          stripeCustomer(stripeId, {
            email: "  ap@acme.test ",
            address: {
              line1: "500 Market Street",
              line2: "Floor 3",
              city: "San Francisco",
              state: "CA",
              postal_code: "94105",
              country: "US"
            }
          }),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(updated), "applied")
        const after = yield* customerOf(id)
        assert.strictEqual(after.email, "ap@acme.test")
        assert.deepStrictEqual(after.billingAddress, {
          line1: "500 Market Street",
          line2: "Floor 3",
          city: "San Francisco",
          region: "CA",
          postalCode: "94105",
          country: "US"
        })
        // Our name stays ours.
        assert.strictEqual(after.name, "Acme Corp")
        const audits = (yield* auditsOf(id)).filter((a) => a.action === "customer.updated_by_provider")
        assert.strictEqual(audits.length, 1)
        assert.strictEqual(audits[0]!.actor, "worker:payments")
        assert.deepStrictEqual(Object.keys(audits[0]!.payload.after as object).sort(), [
          "billingAddress",
          "email"
        ])
        assert.strictEqual((audits[0]!.payload.before as { email: string }).email, "billing@acme.test")

        // The same event again: nothing more.
        assert.strictEqual(yield* ProcessPaymentEvent.process(updated), "duplicate")
        assert.strictEqual(
          (yield* auditsOf(id)).filter((a) => a.action === "customer.updated_by_provider").length,
          1
        )

        // An older event delivered late (created before the one applied): stale, nothing written.
        const late = stripeEvent(
          "customer.updated",
          stripeCustomer(stripeId, { email: "old@acme.test", address: null }),
          DateTime.subtract(now, { minutes: 5 })
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(late), "stale")
        assert.strictEqual((yield* customerOf(id)).email, "ap@acme.test")
        assert.strictEqual(yield* recorded(late), 1)

        // A Stripe customer without an address leaves ours as it is.
        const emailOnly = stripeEvent(
          "customer.updated",
          stripeCustomer(stripeId, { email: "x@acme.test", address: null }),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(emailOnly), "applied")
        const later = yield* customerOf(id)
        assert.strictEqual(later.email, "x@acme.test")
        assert.strictEqual(later.billingAddress?.city, "San Francisco")
      }).pipe(Effect.provide(layers))
  )

  it.effect(
    "an invalid e-mail or address from Stripe: refused whole (recorded, nothing written, no audit)",
    () =>
      Effect.gen(function* () {
        const { id, stripeId } = yield* linkedCustomer
        const now = yield* DateTime.now
        const before = yield* customerOf(id)
        const badAddress = stripeEvent(
          "customer.updated",
          stripeCustomer(stripeId, {
            // A valid e-mail beside the bad address: not written either (no partial write).
            email: "new@acme.test",
            address: {
              line1: "500 Market Street",
              city: null,
              state: null,
              postal_code: null,
              country: "usa"
            }
          }),
          now
        )
        const badEmail = stripeEvent(
          "customer.updated",
          stripeCustomer(stripeId, { email: "not an e-mail", address: null }),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(badAddress), "refused")
        assert.strictEqual(yield* ProcessPaymentEvent.process(badEmail), "refused")
        // Recorded: a redelivery is a duplicate, not a second refusal.
        assert.strictEqual(yield* recorded(badAddress), 1)
        assert.strictEqual(yield* ProcessPaymentEvent.process(badAddress), "duplicate")
        const after = yield* customerOf(id)
        assert.strictEqual(after.email, before.email)
        assert.deepStrictEqual(after.billingAddress, before.billingAddress)
        assert.deepStrictEqual(
          (yield* auditsOf(id)).map((a) => a.action),
          []
        )
      }).pipe(Effect.provide(layers))
  )

  it.effect(
    "subscription: plan change immediately, same plan no-op, unknown plan refused, older event stale",
    () =>
      Effect.gen(function* () {
        const { id, stripeId } = yield* linkedCustomer
        const now = yield* DateTime.now
        const subId = `sub_${crypto.randomUUID().slice(0, 8)}`
        const at = (seconds: number) => DateTime.add(now, { seconds })

        const toFintech = stripeEvent(
          "customer.subscription.updated",
          subscription(subId, stripeId, "active", "fintech"),
          at(0)
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(toFintech), "applied")
        assert.strictEqual((yield* customerOf(id)).plan, "fintech")
        const changes = (yield* auditsOf(id)).filter((a) => a.action === "customer.plan_changed_by_provider")
        assert.strictEqual(changes.length, 1)
        assert.strictEqual(changes[0]!.actor, "worker:payments")
        assert.strictEqual(changes[0]!.payload.effective, "immediately")
        assert.deepStrictEqual([changes[0]!.payload.from, changes[0]!.payload.to], ["standard", "fintech"])
        assert.notStrictEqual(changes[0]!.payload.proration, null)

        // The same plan again (named on the item's price this time): no change, no audit.
        const same = stripeEvent(
          "customer.subscription.updated",
          subscription(subId, stripeId, "past_due", "fintech", "price"),
          at(10)
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(same), "applied")
        assert.strictEqual(
          (yield* auditsOf(id)).filter((a) => a.action === "customer.plan_changed_by_provider").length,
          1
        )

        // A plan code that is not ours: refused, the plan stays, the subscription's state is kept.
        const unknown = stripeEvent(
          "customer.subscription.updated",
          subscription(subId, stripeId, "active", "platinum"),
          at(20)
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(unknown), "refused")
        assert.strictEqual((yield* customerOf(id)).plan, "fintech")
        const stored = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
          t.runAs(
            id,
            PaymentSubscriptions.PaymentSubscriptions.use((s) => s.find("stripe", subId))
          )
        )
        assert.deepStrictEqual(
          Option.map(stored, (s) => [s.status, s.planCode, DateTime.toEpochMillis(s.stateAt)]),
          Option.some(["active", "platinum", Math.floor(DateTime.toEpochMillis(at(20)) / 1000) * 1000])
        )

        // An event created before the state we hold (delivered late): stale, nothing changes.
        const older = stripeEvent(
          "customer.subscription.updated",
          subscription(subId, stripeId, "active", "healthcare"),
          at(5)
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(older), "stale")
        assert.strictEqual((yield* customerOf(id)).plan, "fintech")
        const still = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
          t.runAs(
            id,
            PaymentSubscriptions.PaymentSubscriptions.use((s) => s.find("stripe", subId))
          )
        )
        assert.strictEqual(Option.getOrThrow(still).planCode, "platinum")
        assert.strictEqual(yield* recorded(older), 1)

        // No plan named at all: stored, acknowledged, nothing changed.
        const none = stripeEvent(
          "customer.subscription.updated",
          subscription(subId, stripeId, "active", null),
          at(30)
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(none), "ignored")
        assert.strictEqual((yield* customerOf(id)).plan, "fintech")
      }).pipe(Effect.provide(layers))
  )

  it.effect(
    "subscription deleted: the customer is closed once, unless another subscription is still live",
    () =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const a = yield* linkedCustomer
        const sub = `sub_${crypto.randomUUID().slice(0, 8)}`
        const deleted = stripeEvent(
          "customer.subscription.deleted",
          subscription(sub, a.stripeId, "canceled", "standard"),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(deleted), "applied")
        const closed = yield* customerOf(a.id)
        assert.strictEqual(closed.status, "closed")
        assert.isDefined(closed.closedAt)
        const again = stripeEvent(
          "customer.subscription.deleted",
          subscription(`sub_${crypto.randomUUID().slice(0, 8)}`, a.stripeId, "canceled", "standard"),
          DateTime.add(now, { seconds: 1 })
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(again), "applied")
        const closes = (yield* auditsOf(a.id)).filter((e) => e.action === "customer.closed_by_provider")
        assert.strictEqual(closes.length, 1)
        assert.strictEqual(closes[0]!.actor, "worker:payments")
        assert.strictEqual(closes[0]!.payload.to, "closed")

        // A switch: the new subscription is live, so cancelling the old one closes nothing.
        const b = yield* linkedCustomer
        const [oldSub, newSub] = [
          `sub_${crypto.randomUUID().slice(0, 8)}`,
          `sub_${crypto.randomUUID().slice(0, 8)}`
        ]
        const created = stripeEvent(
          "customer.subscription.created",
          subscription(newSub, b.stripeId, "active", "standard"),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(created), "applied")
        const cancelOld = stripeEvent(
          "customer.subscription.updated",
          subscription(oldSub, b.stripeId, "canceled", "standard"),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(cancelOld), "applied")
        assert.strictEqual((yield* customerOf(b.id)).status, "active")

        // Both of their subscriptions cancelled at once, for 8 customers: each ends closed, once.
        // (The lock that orders events about one customer is what makes this hold whatever the
        // interleaving; this run does not force the one interleaving that needs it.)
        const later = DateTime.add(now, { seconds: 1 })
        const racers = yield* Effect.forEach(Array.from({ length: 8 }), () =>
          Effect.gen(function* () {
            const c = yield* linkedCustomer
            const subs = [`sub_${crypto.randomUUID().slice(0, 8)}`, `sub_${crypto.randomUUID().slice(0, 8)}`]
            for (const s of subs)
              yield* ProcessPaymentEvent.process(
                stripeEvent(
                  "customer.subscription.created",
                  subscription(s, c.stripeId, "active", "standard"),
                  now
                )
              )
            return { c, subs }
          })
        )
        yield* Effect.all(
          racers.flatMap(({ c, subs }) =>
            subs.map((s) =>
              ProcessPaymentEvent.process(
                stripeEvent(
                  "customer.subscription.deleted",
                  subscription(s, c.stripeId, "canceled", "standard"),
                  later
                )
              )
            )
          ),
          { concurrency: "unbounded" }
        )
        for (const { c } of racers) {
          assert.strictEqual((yield* customerOf(c.id)).status, "closed")
          assert.strictEqual(
            (yield* auditsOf(c.id)).filter((e) => e.action === "customer.closed_by_provider").length,
            1
          )
        }
      }).pipe(Effect.provide(layers))
  )

  it.effect(
    "10 concurrent deliveries of one plan change: one effect; an unlinked Stripe customer: unmatched",
    () =>
      Effect.gen(function* () {
        const { id, stripeId } = yield* linkedCustomer
        const now = yield* DateTime.now
        const change = stripeEvent(
          "customer.subscription.updated",
          subscription(`sub_${crypto.randomUUID().slice(0, 8)}`, stripeId, "active", "healthcare"),
          now
        )
        const outcomes = yield* Effect.all(
          Array.from({ length: 10 }, () => ProcessPaymentEvent.process(change)),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(outcomes.toSorted(), ["applied", ...Array(9).fill("duplicate")])
        const sql = yield* SqlClient.SqlClient
        const planRows = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM customer_plan_changes WHERE customer_id = ${id}`.pipe(Effect.orDie)
        assert.strictEqual(planRows[0]!.n, 1)
        assert.strictEqual(
          (yield* auditsOf(id)).filter((a) => a.action === "customer.plan_changed_by_provider").length,
          1
        )
        assert.strictEqual((yield* customerOf(id)).plan, "healthcare")

        const stranger = stripeEvent(
          "customer.updated",
          stripeCustomer("cus_nobodyweknow", { email: "x@y.test", address: null }),
          now
        )
        assert.strictEqual(yield* ProcessPaymentEvent.process(stranger), "unmatched")
        assert.strictEqual(yield* recorded(stranger), 1)
      }).pipe(Effect.provide(layers))
  )

  it.effect("payment_subscriptions is tenant-scoped: a tenant sees only its own rows and writes none", () =>
    Effect.gen(function* () {
      const a = yield* linkedCustomer
      const b = yield* linkedCustomer
      const now = yield* DateTime.now
      const subB = `sub_${crypto.randomUUID().slice(0, 8)}`
      assert.strictEqual(
        yield* ProcessPaymentEvent.process(
          stripeEvent(
            "customer.subscription.updated",
            subscription(subB, b.stripeId, "active", "standard"),
            now
          )
        ),
        "applied"
      )
      const tenancy = yield* Tenancy.Tenancy
      const asA = <X, E>(effect: Effect.Effect<X, E, PaymentSubscriptions.PaymentSubscriptions>) =>
        tenancy.runAs(a.id, effect)
      const subs = PaymentSubscriptions.PaymentSubscriptions
      assert.deepStrictEqual(yield* asA(subs.use((s) => s.ofCustomer(b.id))), [])
      assert.isTrue(Option.isNone(yield* asA(subs.use((s) => s.find("stripe", subB)))))
      assert.strictEqual(
        (yield* tenancy.runAs(
          b.id,
          subs.use((s) => s.ofCustomer(b.id))
        )).length,
        1
      )
      // The application role may only read: even its own subscription cannot be written.
      const refused = yield* Effect.flip(
        asA(
          subs.use((s) =>
            s.advance({
              provider: "stripe",
              providerSubscriptionId: `sub_${crypto.randomUUID().slice(0, 8)}`,
              customerId: a.id,
              status: "active",
              planCode: "standard",
              stateAt: now
            })
          )
        )
      )
      assert.strictEqual(refused._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(layers))
  )
})
