/**
 * The worker's explicit cross-tenant reach: what the billing run and the outbox sender need, and
 * nothing else (no API keys, tickets or findings; usage is read-only).
 */
import { assert } from "@effect/vitest"
import {
  AuditEvent,
  AuditLog,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  Period,
  Tenancy,
  UsageEventRepo
} from "@securebase/core"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const onboard = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
  return id
})

/** The SqlError reason of a refused statement (or the tag of any other failure). */
const reason = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, {
    onFailure: (e) => (e._tag === "SqlError" ? (e as unknown as SqlError).reason._tag : e._tag),
    onSuccess: () => "succeeded"
  })

const auditEvent = (customerId: Ids.CustomerId, action: string, subjectType: string, subjectId: string) =>
  new AuditEvent.NewAuditEvent({
    customerId,
    action: Schema.decodeSync(AuditEvent.AuditAction)(action),
    subjectType,
    subjectId,
    payload: {}
  })

suite("The worker role", (it) => {
  it.effect("reads every customer's usage and writes every customer's invoices", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const usage = yield* UsageEventRepo.UsageEventRepo
      const invoices = yield* InvoiceRepo.InvoiceRepo
      const a = yield* onboard
      const b = yield* onboard
      yield* tenancy.runAs(a, usage.record(Fixtures.usageEvent(a, "a-1")))
      yield* tenancy.runAs(b, usage.record(Fixtures.usageEvent(b, "b-1")))
      const period = Schema.decodeSync(Period.Period)("2026-10")
      const [ofA, ofB] = yield* tenancy.runAsWorker(
        Effect.all([usage.listForPeriod(a, period), usage.listForPeriod(b, period)])
      )
      assert.deepStrictEqual([ofA!.length, ofB!.length], [1, 1])
      const invoiceA = yield* Fixtures.draftInvoice(a)
      const invoiceB = yield* Fixtures.draftInvoice(b)
      yield* tenancy.runAsWorker(Effect.all([invoices.insert(invoiceA), invoices.insert(invoiceB)]))
      assert.strictEqual((yield* tenancy.runAs(b, invoices.findById(invoiceB.id))).total, invoiceB.total)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("usage is read-only for the worker: recording an event is refused with a typed error", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const usage = yield* UsageEventRepo.UsageEventRepo
      const a = yield* onboard
      const error = yield* Effect.flip(tenancy.runAsWorker(usage.record(Fixtures.usageEvent(a, "w-1"))))
      assert.strictEqual(error._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("queues and marks notifications of any customer (the outbox)", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const a = yield* onboard
      const sent = yield* tenancy.runAsWorker(
        Effect.gen(function* () {
          yield* sql`INSERT INTO notifications (id, customer_id, channel, template, recipient)
                     VALUES (gen_random_uuid(), ${a}, 'email', 'invoice_issued', 'billing@acme.test')`
          return yield* sql`UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1
                            WHERE customer_id = ${a} AND status = 'pending' RETURNING id`
        })
      )
      assert.strictEqual(sent.length, 1)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("has no access to API keys, tickets, findings, or deleting anything", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const outcomes = yield* Effect.all(
        [
          sql`SELECT 1 FROM api_keys`,
          sql`SELECT 1 FROM support_tickets`,
          sql`SELECT 1 FROM compliance_findings`,
          sql`DELETE FROM invoices`,
          sql`DELETE FROM customers`,
          sql`UPDATE customers SET name = name`
        ].map((s) => reason(tenancy.runAsWorker(s)))
      )
      assert.deepStrictEqual(
        outcomes,
        outcomes.map(() => "AuthorizationError")
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  // Regression (issue 10): the worker could insert audit events of any kind for any tenant.
  it.effect("appends only the billing actions, each about its own customer's invoice or notification", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const sql = yield* SqlClient.SqlClient
      const a = yield* onboard
      const b = yield* onboard
      const invoiceA = yield* Fixtures.draftInvoice(a)
      yield* tenancy.runAsWorker((yield* InvoiceRepo.InvoiceRepo).insert(invoiceA))
      const [notification] = yield* tenancy.runAsWorker(
        sql<{ id: string }>`INSERT INTO notifications (id, customer_id, channel, template, recipient)
                              VALUES (gen_random_uuid(), ${a}, 'email', 'invoice_issued', 'billing@acme.test')
                              RETURNING id::text AS id`
      )
      const append = (customer: Ids.CustomerId, action: string, type: string, subject: string) =>
        Effect.match(tenancy.runAsWorker(audit.append(auditEvent(customer, action, type, subject))), {
          onFailure: (e) => e._tag,
          onSuccess: (e) => `${e.action} by ${e.actor}`
        })
      assert.deepStrictEqual(
        yield* Effect.all([
          // Not a billing action.
          append(a, "api_key.created", "invoice", invoiceA.id),
          append(a, "auth.succeeded", "api_key", "abcdefghijklmnop"),
          // A billing action for a tenant whose invoice it is not.
          append(b, "invoice.issued", "invoice", invoiceA.id),
          // A billing action about nothing, or about the wrong kind of subject.
          append(a, "invoice.issued", "invoice", crypto.randomUUID()),
          append(a, "invoice.issued", "invoice", "not-a-uuid"),
          append(a, "invoice.overdue", "notification", notification!.id),
          append(b, "notification.sent", "notification", notification!.id)
        ]),
        Array.from({ length: 7 }, () => "TenantAccessDenied")
      )
      assert.deepStrictEqual(
        yield* Effect.all([
          append(a, "invoice.issued", "invoice", invoiceA.id),
          append(a, "invoice.overdue", "invoice", invoiceA.id),
          append(a, "notification.sent", "notification", notification!.id)
        ]),
        [
          "invoice.issued by worker:billing",
          "invoice.overdue by worker:billing",
          "notification.sent by worker:billing"
        ]
      )
      assert.deepStrictEqual(yield* tenancy.runAsWorker(audit.page(b, { limit: 10 })), [])
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "acts only as a worker: another principal is refused by the database, and runAsWorker never passes one on",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const audit = yield* AuditLog.AuditLog
        const sql = yield* SqlClient.SqlClient
        const a = yield* onboard
        const invoice = yield* Fixtures.draftInvoice(a)
        yield* tenancy.runAsWorker((yield* InvoiceRepo.InvoiceRepo).insert(invoice))
        const append = audit.append(auditEvent(a, "invoice.issued", "invoice", invoice.id))
        // A worker transaction that claims another principal itself is refused by the trigger.
        const claimed = (actor: string) =>
          Effect.match(
            tenancy.runAsWorker(Effect.andThen(sql`SELECT set_config('app.actor', ${actor}, true)`, append)),
            { onFailure: (e) => e._tag, onSuccess: (e) => e.actor }
          )
        assert.deepStrictEqual(
          yield* Effect.all([
            claimed("api_key:abcdefghijklmnop"),
            claimed("role:securebase_worker"),
            claimed("worker:outbox")
          ]),
          ["TenantAccessDenied", "TenantAccessDenied", "worker:outbox"]
        )
        // Under a CLI's or a request's principal, a worker transaction is still the worker.
        const under = (actor: string) =>
          Effect.map(
            tenancy.runAsWorker(append).pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor })),
            (e) => e.actor
          )
        assert.deepStrictEqual(yield* Effect.all([under("cli:bill"), under("worker:outbox")]), [
          "worker:billing",
          "worker:outbox"
        ])
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "appends the shared actions (a payment recorded, a credit note issued) only about its customer's invoice or credit note; the application role appends them too",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const audit = yield* AuditLog.AuditLog
        const a = yield* onboard
        const b = yield* onboard
        const invoiceA = yield* Fixtures.draftInvoice(a)
        yield* tenancy.runAsWorker((yield* InvoiceRepo.InvoiceRepo).insert(invoiceA))
        const append = (customer: Ids.CustomerId, action: string, type: string, subject: string) =>
          Effect.match(tenancy.runAsWorker(audit.append(auditEvent(customer, action, type, subject))), {
            onFailure: (e) => e._tag,
            onSuccess: (e) => `${e.action} by ${e.actor}`
          })
        assert.deepStrictEqual(
          yield* Effect.all([
            append(b, "invoice.payment_recorded", "invoice", invoiceA.id),
            append(a, "invoice.paid", "credit_note", invoiceA.id),
            append(a, "credit_note.issued", "credit_note", crypto.randomUUID()),
            append(a, "credit_note.issued", "credit_note", invoiceA.id)
          ]),
          Array.from({ length: 4 }, () => "TenantAccessDenied")
        )
        assert.deepStrictEqual(
          yield* Effect.all([
            append(a, "invoice.payment_recorded", "invoice", invoiceA.id),
            append(a, "invoice.paid", "invoice", invoiceA.id)
          ]),
          ["invoice.payment_recorded by worker:billing", "invoice.paid by worker:billing"]
        )
        const byApp = yield* tenancy.runAs(
          a,
          audit.append(auditEvent(a, "invoice.payment_recorded", "invoice", invoiceA.id))
        )
        assert.strictEqual(byApp.action, "invoice.payment_recorded")
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("the database's list of shared actions is the core's (AuditEvent.sharedActions)", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ action: string; subject_type: string }>`
        SELECT action, subject_type FROM audit_shared_actions ORDER BY action`
      assert.deepStrictEqual(
        Object.fromEntries(rows.map((r) => [r.action, r.subject_type])),
        AuditEvent.sharedActions
      )
    })
  )

  it.effect("the database's list of worker actions is the core's (AuditEvent.workerActions)", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ action: string; subject_type: string }>`
        SELECT action, subject_type FROM audit_worker_actions ORDER BY action`
      assert.deepStrictEqual(
        Object.fromEntries(rows.map((r) => [r.action, r.subject_type])),
        AuditEvent.workerActions
      )
    })
  )
})
