/**
 * `POST /usage/events` against closed periods, over real HTTP on loopback.
 *
 * - On the embedded database: a month accepts usage until its end plus `USAGE_GRACE`, then the
 *   clock refuses it; a month that is invoiced is refused by the database even inside the grace,
 *   and the 422 names the event.
 * - On the PostgreSQL server in DATABASE_URL, with two `npm start` processes: 40 clients post
 *   usage for a month while its billing run is in progress (one customer per transaction, then
 *   batches with several workers), and every accepted event is on the month's invoice; 10 clients
 *   resend the same 500 events shuffled, and every post succeeds with exactly 500 stored.
 *
 * The racing servers run with `USAGE_GRACE=31 days` and the billing run with none: an instance
 * whose clock or settings disagree with the billing run's is exactly what the database must
 * withstand (with agreeing clocks the race only happens around the grace's last instant).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { PgBilling } from "@securebase/adapters"
import {
  ApiKey,
  Authenticator,
  BillingRun,
  Customer,
  CustomerRepo,
  type Ids,
  Period,
  PeriodClose,
  Tenancy
} from "@securebase/core"
import { DateTime, Duration, Effect, Fiber, Layer, Redacted, Ref, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { servicesLayer } from "../../src/Layers.ts"
import { configFor, scratchDatabase, startServer } from "../support/ServerProcesses.ts"
import { call, TestServer } from "../support/TestServer.ts"

const previousMonth = () => Period.previous(Period.ofDateTime(DateTime.nowUnsafe()))
const iso = (at: DateTime.Utc) => DateTime.formatIso(at)

/** A customer of its own (standard plan, no invoices) and a usage key, on the given services. */
const newTenant = (name: string) =>
  Effect.gen(function* () {
    const id = Schema.decodeSync(Customer.Customer.fields.id)(crypto.randomUUID())
    const customer = new Customer.Customer({
      id,
      name,
      email: `billing+${id.slice(0, 8)}@usage.test`,
      plan: "standard",
      status: "active",
      taxProfile: {},
      netDays: 30
    })
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        id,
        CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
      )
    )
    const created = yield* Authenticator.Authenticator.use((a) =>
      a.createKey({ customerId: id, name: "usage", scopes: ApiKey.allScopes })
    )
    return { id, key: Redacted.value(created.plaintext) }
  }).pipe(Effect.orDie)

const event = (id: string, at: DateTime.Utc, quantity = "1") => ({
  id,
  metric: "api_calls",
  occurredAt: iso(at),
  quantity
})

describe("usage periods over HTTP [pglite]", () => {
  layer(TestServer.layer({ USAGE_GRACE: "31 days" }), { timeout: 120_000, excludeTestServices: true })(
    "USAGE_GRACE=31 days",
    (it) => {
      it.effect(
        "a month that ended is accepted within the grace until it is invoiced; then the database refuses it, naming the event",
        () =>
          Effect.gen(function* () {
            const server = yield* TestServer
            const tenant = yield* Effect.provide(newTenant("Graceful"), server.services)
            const p = previousMonth()
            const at = DateTime.add(Period.start(p), { days: 3 })
            const post = (events: Array<Record<string, unknown>>) =>
              call(server.url, "POST", "/usage/events", { token: tenant.key, json: { events } })
            const first = yield* post([event("late-1", at)])
            assert.strictEqual(first.status, 200, JSON.stringify(first.body))
            // The operator bills the month (this process's billing run has no grace).
            const summary = yield* BillingRun.run({ period: p }).pipe(
              Effect.provideService(PeriodClose.UsageGrace, Duration.zero),
              Effect.provide(PgBilling.layer),
              Effect.provide(server.services)
            )
            assert.strictEqual(summary.failures.length, 0)
            const refused = yield* post([event("now-1", DateTime.nowUnsafe()), event("late-2", at)])
            assert.strictEqual(refused.status, 422)
            assert.deepInclude(refused.body, { code: "USAGE.PERIOD_CLOSED", field: "events.1.occurredAt" })
            assert.include(refused.body.message, `${p} is already invoiced`)
            // Nothing of the refused batch was stored: the current month's event is new when resent.
            const retry = yield* post([event("now-1", DateTime.nowUnsafe())])
            assert.deepStrictEqual(retry.body, { received: 1, accepted: 1, duplicates: 0 })
            // The event accepted before the invoice is on it: its resend is a duplicate, not a refusal.
            const resend = yield* post([event("late-1", at)])
            assert.deepStrictEqual(resend.body, { received: 1, accepted: 0, duplicates: 1 })
          })
      )
    }
  )

  layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })(
    "USAGE_GRACE default (1 hour)",
    (it) => {
      it.effect("a month whose grace has passed is refused by the clock, naming when it closed", () =>
        Effect.gen(function* () {
          const server = yield* TestServer
          const tenant = yield* Effect.provide(newTenant("Punctual"), server.services)
          // Two months back: closed for weeks, and never invoiced for this customer.
          const p = Period.previous(previousMonth())
          const r = yield* call(server.url, "POST", "/usage/events", {
            token: tenant.key,
            json: {
              events: [
                event("ok", DateTime.nowUnsafe()),
                event("old", DateTime.add(Period.start(p), { days: 1 }))
              ]
            }
          })
          assert.strictEqual(r.status, 422)
          assert.deepInclude(r.body, { code: "USAGE.PERIOD_CLOSED", field: "events.1.occurredAt" })
          assert.include(
            r.body.message,
            `${p} closed for usage at ${iso(PeriodClose.billableAt(p, Duration.hours(1)))} (its end plus the usage grace of 1h)`
          )
        })
      )
    }
  )
})

const databaseUrl = process.env.DATABASE_URL ?? ""

/** What one post did. */
interface Post {
  readonly customer: number
  readonly ids: ReadonlyArray<string>
  readonly status: number
  readonly code: string | undefined
  /** Whether the billing run was in progress when the post was sent, and when it was answered. */
  readonly sent: "before" | "during" | "after"
  readonly answered: "before" | "during" | "after"
}

/**
 * 40 clients post batches of 1-5 events for random customers of `tenants` in `p`, against both
 * servers, while `bill` runs; they stop once 200 posts sent after it finished have been answered.
 */
const raceBillingRun = <E, R>(
  urls: ReadonlyArray<string>,
  tenants: ReadonlyArray<{ readonly id: Ids.CustomerId; readonly key: string }>,
  p: Period.Period,
  bill: Effect.Effect<BillingRun.RunSummary, E, R>
) =>
  Effect.gen(function* () {
    const phase = yield* Ref.make<"before" | "during" | "after">("before")
    const posts = yield* Ref.make<Array<Post>>([])
    const span = DateTime.toEpochMillis(Period.end(p)) - DateTime.toEpochMillis(Period.start(p))
    let sequence = 0
    const client = (n: number) =>
      Effect.gen(function* () {
        while (true) {
          const done = yield* Ref.get(posts)
          if (done.filter((x) => x.sent === "after").length >= 200) return
          const customer = Math.floor(Math.random() * tenants.length)
          const ids = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => `c${n}-${sequence++}`)
          const events = ids.map((id) =>
            event(id, DateTime.add(Period.start(p), { milliseconds: Math.floor(Math.random() * span) }))
          )
          const sent = yield* Ref.get(phase)
          const r = yield* call(urls[n % urls.length]!, "POST", "/usage/events", {
            token: tenants[customer]!.key,
            json: { events }
          })
          const answered = yield* Ref.get(phase)
          yield* Ref.update(posts, (xs) => [
            ...xs,
            { customer, ids, status: r.status, code: r.body?.code, sent, answered }
          ])
        }
      })
    const clients = yield* Effect.forkChild(
      Effect.all(
        Array.from({ length: 40 }, (_, n) => client(n)),
        { concurrency: "unbounded", discard: true }
      )
    )
    // Let usage flow first, then bill while it keeps coming.
    while ((yield* Ref.get(posts)).filter((x) => x.status === 200).length < 100)
      yield* Effect.sleep("20 millis")
    yield* Ref.set(phase, "during")
    const summary = yield* bill
    yield* Ref.set(phase, "after")
    yield* Fiber.join(clients)
    return { summary, posts: yield* Ref.get(posts) }
  })

/** What the database holds for the raced customers. */
interface Ledger {
  readonly stored: ReadonlyArray<{ readonly customer_id: string; readonly event_id: string }>
  readonly billed: ReadonlyArray<{ readonly customer_id: string; readonly quantity: string | null }>
}

/** Per customer of `tenants`: its events stored for `p`, and the api_calls its invoice for `p` bills. */
const ledger = (tenants: ReadonlyArray<{ readonly id: Ids.CustomerId }>, p: Period.Period) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ids = tenants.map((t) => t.id)
    const stored = yield* sql<{ customer_id: string; event_id: string }>`
      SELECT customer_id::text, event_id FROM usage_events
      WHERE customer_id IN ${sql.in(ids)} AND usage_period_of(occurred_at) = ${p}`
    const billed = yield* sql<{ customer_id: string; quantity: string | null }>`
      SELECT i.customer_id::text, (SELECT l.quantity::text FROM invoice_lines l
                                   WHERE l.invoice_id = i.id AND l.metric = 'api_calls') AS quantity
      FROM invoices i WHERE i.customer_id IN ${sql.in(ids)} AND i.period = ${p}`
    return { stored, billed } satisfies Ledger
  }).pipe(Effect.orDie)

/** Accepted-but-unbilled events, refused-but-stored events, and what the posts did. */
const audit = (
  tenants: ReadonlyArray<{ readonly id: Ids.CustomerId }>,
  result: { readonly posts: ReadonlyArray<Post> },
  book: Ledger
) => {
  const accepted = new Map<string, Set<string>>()
  for (const post of result.posts)
    if (post.status === 200) {
      const id = tenants[post.customer]!.id
      const set = accepted.get(id) ?? new Set<string>()
      for (const e of post.ids) set.add(e)
      accepted.set(id, set)
    }
  const stored = new Map<string, Set<string>>()
  for (const row of book.stored) {
    const set = stored.get(row.customer_id) ?? new Set<string>()
    set.add(row.event_id)
    stored.set(row.customer_id, set)
  }
  const billed = new Map(book.billed.map((b) => [b.customer_id, Number(b.quantity ?? "0")]))
  let unbilled = 0
  let storedButRefused = 0
  let acceptedButMissing = 0
  for (const t of tenants) {
    const acc = accepted.get(t.id) ?? new Set()
    const sto = stored.get(t.id) ?? new Set()
    // Every event is one api_call: the invoice bills exactly the events it read.
    unbilled += Math.max(0, acc.size - (billed.get(t.id) ?? 0))
    storedButRefused += [...sto].filter((e) => !acc.has(e)).length
    acceptedButMissing += [...acc].filter((e) => !sto.has(e)).length
  }
  const count = (f: (p: Post) => boolean) => result.posts.filter(f).length
  const events = (f: (p: Post) => boolean) => result.posts.filter(f).reduce((n, p) => n + p.ids.length, 0)
  return {
    posts: result.posts.length,
    acceptedPosts: count((p) => p.status === 200),
    acceptedEvents: events((p) => p.status === 200),
    refusedPosts: count((p) => p.status === 422),
    refusedEvents: events((p) => p.status === 422),
    otherPosts: count((p) => p.status !== 200 && p.status !== 422),
    racedPosts: count(
      (p) => p.sent === "during" || p.answered === "during" || (p.sent === "before" && p.answered === "after")
    ),
    acceptedAfterRun: count((p) => p.sent === "after" && p.status === 200),
    invoices: book.billed.length,
    unbilled,
    storedButRefused,
    acceptedButMissing
  }
}

describe.runIf(databaseUrl !== "")("usage periods over HTTP [server, two processes]", () => {
  it.live(
    "accepted usage is always billed: 40 clients post while the month is billed, per customer and in batches; accepted-but-unbilled = 0",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const env = { DATABASE_URL: url, USAGE_GRACE: "31 days", RATE_LIMIT_REQUESTS: "100000000" }
        const servers = yield* Effect.all([startServer(env), startServer(env)], { concurrency: 2 })
        const config = yield* configFor({ DATABASE_URL: url, SEED_DEMO: "false" })
        const services = PgBilling.layer.pipe(Layer.provideMerge(servicesLayer(config)))
        const p = previousMonth()
        const run = (options: Omit<BillingRun.RunOptions, "period">) =>
          BillingRun.run({ period: p, ...options }).pipe(
            Effect.provideService(PeriodClose.UsageGrace, Duration.zero)
          )
        yield* Effect.gen(function* () {
          const urls = servers.map((s) => s.url)
          const modes = [
            { name: "a transaction per customer, 4 in flight", customers: 60, options: { concurrency: 4 } },
            { name: "batches of 50, 3 workers", customers: 300, options: { concurrency: 3, batchSize: 50 } }
          ]
          for (const mode of modes) {
            const tenants = yield* Effect.forEach(
              Array.from({ length: mode.customers }, (_, i) => i),
              (i) => newTenant(`Racer ${i}`),
              { concurrency: 8 }
            )
            const result = yield* raceBillingRun(urls, tenants, p, run(mode.options))
            const figures = audit(tenants, result, yield* ledger(tenants, p))
            console.log(`race (${mode.name}): ${JSON.stringify(figures)}`)
            assert.strictEqual(result.summary.failures.length, 0)
            assert.strictEqual(figures.invoices, mode.customers)
            assert.strictEqual(figures.otherPosts, 0, "every post is 200 or 422")
            assert.isAbove(figures.racedPosts, 0, "no post overlapped the billing run")
            assert.isAbove(figures.refusedPosts, 0)
            // The promise: an accepted event is on that month's invoice, or it was refused.
            assert.strictEqual(figures.unbilled, 0, "accepted-but-unbilled")
            assert.strictEqual(figures.storedButRefused, 0, "refused-but-stored")
            assert.strictEqual(figures.acceptedButMissing, 0, "accepted-but-not-stored")
            assert.strictEqual(figures.acceptedAfterRun, 0, "accepted after the run had finished")
            assert.isTrue(
              result.posts.filter((x) => x.status === 422).every((x) => x.code === "USAGE.PERIOD_CLOSED")
            )
          }
        }).pipe(Effect.provide(services))
      }).pipe(Effect.scoped),
    600_000
  )

  it.live(
    "same-period resends in different orders never fail: 10 clients × 5 posts of the same 500 events shuffled, all 200, exactly 500 stored",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const env = { DATABASE_URL: url, RATE_LIMIT_REQUESTS: "100000000" }
        const servers = yield* Effect.all([startServer(env), startServer(env)], { concurrency: 2 })
        const config = yield* configFor({ DATABASE_URL: url, SEED_DEMO: "false" })
        const tenant = yield* Effect.provide(newTenant("Resender"), servicesLayer(config))
        const now = DateTime.nowUnsafe()
        const events = Array.from({ length: 500 }, (_, i) =>
          event(
            `resend-${i.toString().padStart(3, "0")}`,
            DateTime.subtract(now, { seconds: i }),
            `${1 + (i % 7)}`
          )
        )
        const shuffled = () => {
          const xs = [...events]
          for (let i = xs.length - 1; i > 0; i--) {
            const j = Math.floor(Math.random() * (i + 1))
            ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
          }
          return xs
        }
        const replies = yield* Effect.all(
          Array.from({ length: 10 }, (_, n) =>
            Effect.forEach(Array.from({ length: 5 }), () =>
              call(servers[n % 2]!.url, "POST", "/usage/events", {
                token: tenant.key,
                json: { events: shuffled() }
              })
            )
          ),
          { concurrency: "unbounded" }
        ).pipe(Effect.map((xs) => xs.flat()))
        const statuses = new Map<number, number>()
        for (const r of replies) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
        console.log(`resends: ${JSON.stringify(Object.fromEntries(statuses))}`)
        assert.deepStrictEqual(Object.fromEntries(statuses), { 200: 50 })
        assert.strictEqual(
          replies.reduce((n, r) => n + r.body.accepted, 0),
          500
        )
        assert.strictEqual(
          replies.reduce((n, r) => n + r.body.duplicates, 0),
          50 * 500 - 500
        )
        const stored = yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ event_id: string; quantity: string }>`
              SELECT event_id, quantity::text FROM usage_events WHERE customer_id = ${tenant.id} ORDER BY event_id`
        }).pipe(Effect.provide(servicesLayer(config)), Effect.orDie)
        assert.deepStrictEqual(
          stored.map((r) => [r.event_id, r.quantity]),
          events.map((e) => [e.id, e.quantity])
        )
      }).pipe(Effect.scoped),
    600_000
  )
})
