import { assert } from "@effect/vitest"
import {
  Compliance,
  ComplianceRepo,
  CustomerRepo,
  type Ids,
  SupportTicket,
  SupportTicketRepo,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import * as PgComplianceRepo from "../../src/postgres/PgComplianceRepo.ts"
import * as PgSupportTicketRepo from "../../src/postgres/PgSupportTicketRepo.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const adapters = Layer.mergeAll(Fixtures.adapters, PgSupportTicketRepo.layer, PgComplianceRepo.layer)

const onboard = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
  return id
})

const ticket = (customerId: Ids.CustomerId, minute: number, status: SupportTicket.TicketStatus = "open") =>
  Schema.decodeSync(SupportTicket.Ticket)({
    id: crypto.randomUUID(),
    customerId,
    subject: `Invoice question ${minute}`,
    description: "Why did the total change?",
    priority: "high",
    status,
    createdAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 1, 0, minute)),
    firstResponseDueAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 1, 4, minute))
  })

const finding = (customerId: Ids.CustomerId, minute: number, fields: Partial<Compliance.Finding> = {}) =>
  Schema.decodeSync(Compliance.Finding)({
    id: crypto.randomUUID(),
    customerId,
    framework: "SOC2",
    controlId: "CC6.1",
    title: "MFA is not enforced for the root account",
    severity: "high",
    status: "open",
    resource: "arn:aws:iam::123456789012:root",
    detectedAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 1, 0, minute)),
    resolvedAt: null,
    ...fields
  })

suite("SupportTicketRepo", (it) => {
  it.effect("stores tickets and lists the tenant's own, newest first, optionally by status", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* SupportTicketRepo.SupportTicketRepo
      const a = yield* onboard
      const b = yield* onboard
      const first = ticket(a, 1)
      const second = ticket(a, 2, "resolved")
      yield* tenancy.runAs(a, Effect.all([repo.insert(first), repo.insert(second)]))
      yield* tenancy.runAs(b, repo.insert(ticket(b, 3)))
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.list({})), [second, first])
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.list({ status: "open" })), [first])
    }).pipe(Effect.provide(adapters))
  )

  it.effect("a ticket for another customer is TenantAccessDenied; a repeated id is AlreadyExists", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* SupportTicketRepo.SupportTicketRepo
      const a = yield* onboard
      const b = yield* onboard
      const denied = yield* Effect.flip(tenancy.runAs(a, repo.insert(ticket(b, 1))))
      const once = ticket(a, 1)
      yield* tenancy.runAs(a, repo.insert(once))
      const again = yield* Effect.flip(tenancy.runAs(a, repo.insert(once)))
      assert.deepStrictEqual([denied._tag, again._tag], ["TenantAccessDenied", "AlreadyExists"])
    }).pipe(Effect.provide(adapters))
  )
})

suite("ComplianceRepo", (it) => {
  it.effect("stores findings and lists the tenant's own, newest first, filtered on every field", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* ComplianceRepo.ComplianceRepo
      const a = yield* onboard
      const b = yield* onboard
      const soc2 = finding(a, 1)
      const hipaa = finding(a, 2, { framework: "HIPAA", severity: "critical" })
      const resolved = finding(a, 3, {
        status: "resolved",
        resolvedAt: DateTime.makeUnsafe(Date.UTC(2026, 9, 2)),
        resource: null
      })
      yield* tenancy.runAs(a, Effect.forEach([soc2, hipaa, resolved], repo.insert))
      yield* tenancy.runAs(b, repo.insert(finding(b, 4)))
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.list({})), [resolved, hipaa, soc2])
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.list({ framework: "HIPAA" })), [hipaa])
      assert.deepStrictEqual(yield* tenancy.runAs(a, repo.list({ status: "open", severity: "high" })), [soc2])
    }).pipe(Effect.provide(adapters))
  )

  it.effect("a finding for another customer is TenantAccessDenied; a repeated id is AlreadyExists", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* ComplianceRepo.ComplianceRepo
      const a = yield* onboard
      const b = yield* onboard
      const denied = yield* Effect.flip(tenancy.runAs(a, repo.insert(finding(b, 1))))
      const once = finding(a, 1)
      yield* tenancy.runAs(a, repo.insert(once))
      const again = yield* Effect.flip(tenancy.runAs(a, repo.insert(once)))
      assert.deepStrictEqual([denied._tag, again._tag], ["TenantAccessDenied", "AlreadyExists"])
    }).pipe(Effect.provide(adapters))
  )
})
