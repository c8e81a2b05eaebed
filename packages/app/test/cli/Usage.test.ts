/**
 * `npm run usage:void`: the arguments, and the command as a process on an embedded database seeded
 * with the demo tenants: a void is printed and audited, a second one and one in an invoiced month
 * are refused, and the exit codes say which.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { AuditLog, type Ids, Metric, Period, Tenancy, Usage, UsageEventRepo } from "@securebase/core"
import { BigDecimal, ConfigProvider, DateTime, Effect, Layer, Option } from "effect"
import * as ServerConfig from "../../src/Config.ts"
import { decodeArgs } from "../../src/cli/Usage.ts"
import * as DemoData from "../../src/demo/DemoData.ts"
import { servicesLayer } from "../../src/Layers.ts"
import { securebase } from "../support/Cli.ts"

/** The flags as effect/cli hands them to the command, from a plain object. */
const parseArgs = (flags: { customer: string; event: string; reason: string; operator?: string }) =>
  decodeArgs({ ...flags, operator: Option.fromUndefinedOr(flags.operator) })
const customer = "5ecb0a5e-0000-4000-8000-000100000002"

describe("securebase usage void: its values", () => {
  it("parses the flags (also as --flag=value) and names the operator as the actor", () => {
    const args = parseArgs({ customer, event: "evt-1", reason: "sent in bytes, not GB", operator: "alice" })
    assert.deepStrictEqual(args, {
      customerId: customer as Ids.CustomerId,
      eventId: "evt-1" as Ids.UsageEventId,
      reason: "sent in bytes, not GB" as never,
      actor: "operator:alice"
    })
    const anonymous = parseArgs({ customer, event: "e", reason: "r" })
    assert.strictEqual(typeof anonymous === "string" ? anonymous : anonymous.actor, "cli:usage-void")
  })

  it("explains every bad value, hostile text included", () => {
    const base = { customer, event: "evt-1", reason: "why" }
    const cases: ReadonlyArray<[Parameters<typeof parseArgs>[0], RegExp]> = [
      [{ ...base, customer: "not-a-uuid" }, /^--customer: /],
      [{ ...base, event: "has space" }, /^--event: /],
      [{ ...base, reason: "" }, /^--reason: /],
      [{ ...base, reason: " padded" }, /^--reason: /],
      [{ ...base, reason: "nul\u0000" }, /^--reason: .*NUL/],
      [{ ...base, reason: "two\nlines" }, /^--reason: .*single line/],
      [{ ...base, reason: "x".repeat(501) }, /^--reason: .*at most 500/],
      [{ ...base, operator: "alice smith" }, /^--operator: /]
    ]
    for (const [flags, expected] of cases) {
      const parsed = parseArgs(flags)
      assert.match(typeof parsed === "string" ? parsed : "parsed", expected, JSON.stringify(flags))
    }
  })
})

const voidCli = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  securebase(["usage", "void", ...args], env)

/** The app's services on the embedded database in `dir`, for seeding and checking in-process. */
const onDatabase = <A, E>(dir: string, effect: Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load.pipe(
      Effect.provideService(
        ConfigProvider.ConfigProvider,
        ConfigProvider.fromEnv({ env: { PGLITE_DATA_DIR: dir } })
      ),
      Effect.orDie
    )
    return yield* Effect.scoped(Effect.provide(effect, Layer.fresh(servicesLayer(config))))
  }).pipe(Effect.orDie)

describe("securebase usage void", () => {
  it.live(
    "exit code 2 and the usage for bad arguments, 3 when the database cannot be reached",
    () =>
      Effect.gen(function* () {
        const bad = yield* voidCli(["--customer", customer, "--event", "e"], {})
        assert.strictEqual(bad.code, 2)
        assert.include(bad.stderr, "Missing required flag: --reason")
        assert.include(bad.stdout, "securebase usage void [flags]")
        const unknown = yield* voidCli(
          ["--customer", customer, "--event", "e", "--reason", "r", "--bogus"],
          {}
        )
        assert.strictEqual(unknown.code, 2)
        const value = yield* voidCli(["--customer", "not-a-uuid", "--event", "e", "--reason", "r"], {})
        assert.strictEqual(value.code, 2)
        assert.match(value.stderr, /^securebase: --customer: /)
        const down = yield* voidCli(["--customer", customer, "--event", "e", "--reason", "r"], {
          DATABASE_URL: "postgres://nobody@127.0.0.1:9/none"
        })
        assert.strictEqual(down.code, 3)
        assert.include(down.stderr, "cannot reach the database")
      }),
    60_000
  )

  it.live(
    "voids a demo tenant's event (printed and audited); a second void and one in an invoiced month are refused",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-void-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = { PGLITE_DATA_DIR: join(dir, "db") }
        const now = yield* DateTime.now
        const current = Period.ofDateTime(now)
        const customerId = customer as Ids.CustomerId
        // The demo tenants (three invoiced months, this month's usage), and one event stamped now.
        yield* onDatabase(
          env.PGLITE_DATA_DIR,
          Effect.gen(function* () {
            yield* DemoData.seed()
            yield* Tenancy.Tenancy.use((t) =>
              t.runAs(
                customerId,
                UsageEventRepo.UsageEventRepo.use((r) =>
                  r.record(
                    new Usage.UsageEvent({
                      id: "wrong-unit" as Ids.UsageEventId,
                      customerId,
                      metric: Metric.code("data_transfer_gb"),
                      occurredAt: now,
                      quantity: BigDecimal.fromBigInt(5_000_000n)
                    })
                  )
                )
              )
            )
          })
        )
        const args = ["--customer", customer, "--event", "wrong-unit", "--reason", "bytes sent as GB"]
        const first = yield* voidCli([...args, "--operator", "alice"], env)
        assert.strictEqual(first.code, 0, first.stderr)
        assert.include(first.stdout, `Voided usage event wrong-unit of customer ${customer}`)
        assert.include(
          first.stdout,
          `data_transfer_gb 5000000 at ${DateTime.formatIso(now)} (period ${current})`
        )
        assert.include(first.stdout, "by operator:alice")

        const again = yield* voidCli(args, env)
        assert.strictEqual(again.code, 1)
        assert.include(again.stderr, "refused: USAGE.EVENT_ALREADY_VOIDED")

        const invoiced = Period.previous(current)
        const closed = yield* voidCli(
          ["--customer", customer, "--event", `demo/${invoiced}/calls/0`, "--reason", "too late"],
          env
        )
        assert.strictEqual(closed.code, 1)
        assert.include(closed.stderr, `refused: USAGE.PERIOD_INVOICED`)
        assert.include(closed.stderr, `(period ${invoiced})`)

        const unknown = yield* voidCli(["--customer", customer, "--event", "nope", "--reason", "r"], env)
        assert.strictEqual(unknown.code, 1)
        assert.include(unknown.stderr, "refused: USAGE.EVENT_NOT_FOUND")

        // Left out of the month, and in the customer's audit trail once.
        const { listed, voids } = yield* onDatabase(
          env.PGLITE_DATA_DIR,
          Tenancy.Tenancy.use((t) =>
            t.runAs(
              customerId,
              Effect.all({
                listed: UsageEventRepo.UsageEventRepo.use((r) => r.listForPeriod(customerId, current)),
                voids: Effect.map(
                  AuditLog.AuditLog.use((log) => log.list(customerId)),
                  (events) => events.filter((e) => e.action === "usage_event.voided")
                )
              })
            )
          )
        )
        assert.notInclude(
          listed.map((e) => e.id as string),
          "wrong-unit"
        )
        assert.deepStrictEqual(
          voids.map((e) => [e.actor, e.subjectId, (e.payload as { reason: string }).reason]),
          [["operator:alice", "wrong-unit", "bytes sent as GB"]]
        )
      }).pipe(Effect.scoped),
    180_000
  )
})
