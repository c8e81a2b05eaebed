/**
 * Demo tenants for `npm start` and `npm run db:seed`: one customer per reference plan, each with an API key
 * holding every scope, three past months of usage invoiced by the billing run's own step
 * (`IssueInvoice.billCustomer`; the oldest two paid), this month's usage so far, compliance findings
 * and a ticket.
 * Every write goes through the same ports and row-level security as the API.
 */
import { PgBilling } from "@securebase/adapters"
import {
  ApiKey,
  Authenticator,
  type Compliance,
  ComplianceRepo,
  Customer,
  CustomerRepo,
  type Ids,
  InvoiceLifecycle,
  InvoiceRepo,
  IssueInvoice,
  type Metric,
  Period,
  Pricing,
  SupportTicket,
  SupportTicketRepo,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Redacted } from "effect"

/** A seeded tenant, its newest invoice, and the key issued by this seed (shown once), if any. */
export interface DemoTenant {
  readonly customer: Customer.Customer
  /** The key issued by this seed; `null` when the tenant already existed and no key was asked for. */
  readonly apiKey: string | null
  /** Whether this seed created the tenant (and its data), rather than finding it. */
  readonly created: boolean
  /** The tenant's most recent demo invoice, for examples that need a real id. */
  readonly latestInvoiceId: Ids.InvoiceId
}

/** What a seed does beyond creating the missing tenants. */
export interface SeedOptions {
  /**
   * Issue a fresh key for tenants that already existed (default true: `db seed` always prints
   * working keys). The server passes false on a persistent database, so the keys an earlier
   * `db seed` printed keep working and no keys pile up at each start.
   */
  readonly newKeysForExisting?: boolean
  /** Revoke each tenant's earlier demo keys before issuing the new one (default false). */
  readonly revokePrevious?: boolean
}

interface Shape {
  readonly name: string
  readonly plan: string
  readonly calls: number
  readonly accounts: number
  readonly storageGb: number
  readonly exempt?: boolean
}

const shapes: ReadonlyArray<Shape> = [
  { name: "Acme Analytics", plan: "standard", calls: 40_000, accounts: 12, storageGb: 90 },
  { name: "Ledgerline Payments", plan: "fintech", calls: 220_000, accounts: 54, storageGb: 480 },
  { name: "Northwind Health", plan: "healthcare", calls: 300_000, accounts: 90, storageGb: 950 },
  {
    name: "Federal Records Agency",
    plan: "gov-federal",
    calls: 700_000,
    accounts: 260,
    storageGb: 1900,
    exempt: true
  }
]

// Stable ids so a re-seed of a persistent database finds the same tenants.
const uuid = (kind: number, n: number) =>
  `5ecb0a5e-0000-4000-8000-${kind.toString(16).padStart(4, "0")}${n.toString(16).padStart(8, "0")}`

const events = (customerId: Ids.CustomerId, shape: Shape, period: Period.Period, until: DateTime.Utc) => {
  const out: Array<Usage.UsageEvent> = []
  const start = DateTime.toEpochMillis(Period.start(period))
  const end = Math.min(DateTime.toEpochMillis(Period.end(period)), DateTime.toEpochMillis(until))
  const event = (id: string, metric: Metric.MetricCode, at: number, quantity: number, subject?: string) =>
    new Usage.UsageEvent({
      id: `demo/${period}/${id}` as Ids.UsageEventId,
      customerId,
      metric,
      occurredAt: DateTime.makeUnsafe(at),
      quantity: BigDecimal.fromBigInt(BigInt(quantity)),
      ...(subject === undefined ? {} : { subject })
    })
  let day = 0
  for (let at = start + 3_600_000; at < end; at += 86_400_000, day++) {
    out.push(event(`calls/${day}`, "api_calls" as Metric.MetricCode, at, shape.calls + day * 100))
    out.push(event(`scan/${day}`, "compliance_scans" as Metric.MetricCode, at, 1))
    out.push(event(`storage/${day}`, "storage_gb" as Metric.MetricCode, at, shape.storageGb + day))
    if (day === 0) {
      for (let a = 0; a < shape.accounts; a++) {
        out.push(event(`account/${a}`, "accounts" as Metric.MetricCode, at, 1, `acct-${a}`))
      }
    }
  }
  return out
}

const findings = (
  customer: Customer.Customer,
  frameworks: ReadonlyArray<Compliance.Finding["framework"]>,
  at: DateTime.Utc
): Array<Compliance.Finding> =>
  frameworks.flatMap((framework, i) => [
    {
      id: uuid(3, Number.parseInt(customer.id.slice(-2), 16) * 100 + i * 2) as Compliance.FindingId,
      customerId: customer.id,
      framework,
      controlId: `${framework}-${i + 1}.${i + 3}`,
      title: i % 2 === 0 ? "MFA not enforced for console users" : "S3 bucket without default encryption",
      severity: i === 0 ? "high" : i === 1 ? "medium" : "low",
      status: "open",
      resource: `arn:aws:iam::1234567890${i}:user/demo`,
      detectedAt: at,
      resolvedAt: null
    },
    {
      id: uuid(3, Number.parseInt(customer.id.slice(-2), 16) * 100 + i * 2 + 1) as Compliance.FindingId,
      customerId: customer.id,
      framework,
      controlId: `${framework}-2.${i + 1}`,
      title: "CloudTrail log file validation disabled",
      severity: "medium",
      status: "resolved",
      resource: null,
      detectedAt: at,
      resolvedAt: at
    }
  ])

/** The demo keys' names start with this. */
export const demoKeyName = "Demo key"

// Stable, like the tenants: the newest past month of tenant n.
const invoiceId = (n: number, month: number) => uuid(2, (n + 1) * 16 + month) as Ids.InvoiceId

/**
 * Seeds the demo tenants: creates those missing (with their history), and issues keys as
 * `options` say. Idempotent for data. Keys are stored hashed, so a key can be shown only by the
 * seed that issues it.
 */
export const seed = Effect.fn("DemoData.seed")(function* (options: SeedOptions = {}) {
  const tenancy = yield* Tenancy.Tenancy
  const auth = yield* Authenticator.Authenticator
  const now = yield* DateTime.now
  const current = Period.ofDateTime(now)
  const past = Period.trailing(Period.previous(current), 3)
  const tenants: Array<DemoTenant> = []

  for (const [n, shape] of shapes.entries()) {
    const customer = new Customer.Customer({
      id: uuid(1, n + 1) as Ids.CustomerId,
      name: shape.name,
      email: `billing@${shape.name.toLowerCase().replaceAll(/[^a-z]/g, "")}.example`,
      plan: shape.plan,
      status: "active",
      taxProfile: shape.exempt
        ? { exemption: { reason: "US federal government purchaser", certificate: "GSA-EX-2026-0042" } }
        : {},
      netDays: 30,
      // A customer since the first demo month, so the portal's history starts there.
      createdAt: Period.start(past[0]!)
    })
    // The catch is outside runAs: a failed INSERT aborts the PostgreSQL transaction, which must
    // then roll back rather than go on.
    const fresh = yield* tenancy
      .runAs(
        customer.id,
        CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
      )
      .pipe(
        Effect.as(true),
        Effect.catchTag("AlreadyExists", () => Effect.succeed(false))
      )
    if (fresh) {
      yield* tenancy.runAs(
        customer.id,
        Effect.gen(function* () {
          // One batch per month, as a client would send it (one statement each).
          for (const period of [...past, current]) {
            yield* UsageEventRepo.UsageEventRepo.use((r) =>
              r.recordAll(events(customer.id, shape, period, now))
            )
          }
          const entitlements = yield* Pricing.entitlementsOf(customer.plan)
          for (const f of findings(customer, entitlements.complianceFrameworks, now))
            yield* ComplianceRepo.ComplianceRepo.use((r) => r.insert(f))
          yield* SupportTicketRepo.SupportTicketRepo.use((r) =>
            r.insert(
              SupportTicket.open({
                id: uuid(4, n + 1) as SupportTicket.TicketId,
                customerId: customer.id,
                entitlements,
                ticket: {
                  subject: "Question about our FedRAMP evidence export",
                  description: "Can the evidence package be exported per control family?",
                  priority: "normal"
                },
                at: now
              })
            )
          )
        })
      )
      // Past months are billed by the billing run's own step (as the worker, numbers gap-free,
      // audited), issued on the 1st after each month, without e-mail; the oldest two are paid.
      for (const [m, period] of past.entries()) {
        yield* tenancy
          .runAsWorker(
            Effect.gen(function* () {
              const issuedAt = Period.end(period)
              const invoice = yield* IssueInvoice.billCustomer(customer, period, {
                at: issuedAt,
                invoiceId: invoiceId(n, m),
                notify: false
              })
              if (m < past.length - 1) {
                const paid = yield* InvoiceLifecycle.markPaid(invoice, {
                  at: DateTime.add(issuedAt, { days: 12 }),
                  reference: `demo-payment-${invoice.number}`
                })
                yield* InvoiceRepo.InvoiceRepo.use((r) => r.updateLifecycle(paid))
              }
            })
          )
          .pipe(Effect.provide(PgBilling.layer))
      }
    }
    const latestInvoiceId = invoiceId(n, past.length - 1)
    if (!fresh && options.newKeysForExisting === false) {
      tenants.push({ customer, apiKey: null, created: false, latestInvoiceId })
      continue
    }
    if (options.revokePrevious === true) {
      for (const key of yield* auth.listKeys(customer.id)) {
        if (key.name.startsWith(demoKeyName) && key.revokedAt === undefined)
          yield* auth.revokeKey(customer.id, key.id)
      }
    }
    const created = yield* auth.createKey({
      customerId: customer.id,
      name: `${demoKeyName} ${DateTime.formatIso(now)}`,
      scopes: ApiKey.allScopes
    })
    tenants.push({ customer, apiKey: Redacted.value(created.plaintext), created: fresh, latestInvoiceId })
  }
  return tenants
})

/** A demo tenant with the key its seed issued. */
export interface IssuedTenant extends DemoTenant {
  readonly apiKey: string
}

/** Seeds the demo tenants and issues every one of them a fresh key (tests, the Lambda demo, `db seed`). */
export const seedWithKeys = (options: { readonly revokePrevious?: boolean } = {}) =>
  // With `newKeysForExisting: true` every tenant gets a key, so the narrowing holds.
  Effect.map(
    seed({ ...options, newKeysForExisting: true }),
    (tenants) => tenants as ReadonlyArray<IssuedTenant>
  )
