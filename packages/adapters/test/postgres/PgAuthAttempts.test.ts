/**
 * `PgAuthAttempts`: failures and issued sessions join the customer's audit chain at once;
 * successful uses are counted per customer, method, key, session, client and minute and appended
 * as `auth.used` by a flush, with exact counts; the chain verifies; a failed flush keeps its counts;
 * releasing the layer flushes.
 */
import { assert } from "@effect/vitest"
import {
  type ApiKey,
  type AuditEvent,
  AuditLog,
  type AuthAttempts,
  CustomerRepo,
  type Ids,
  PersistenceError,
  type Session,
  Tenancy
} from "@securebase/core"
import { DateTime, Duration, Effect, Ref } from "effect"
import * as PgAuthAttempts from "../../src/postgres/PgAuthAttempts.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const keyA = "key_aaaaaaaaaaaaaaaa" as ApiKey.ApiKeyId
const keyB = "key_bbbbbbbbbbbbbbbb" as ApiKey.ApiKeyId
const session = "sess-1" as Session.SessionId
const minute1 = DateTime.makeUnsafe("2026-10-15T12:00:00.000Z")

const onboard = Effect.gen(function* () {
  const id = Fixtures.customerId()
  yield* (yield* Tenancy.Tenancy).runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
  return id
})

const eventsOf = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (t) =>
    t.runAs(
      id,
      AuditLog.AuditLog.use((log) => log.list(id))
    )
  )

/** An `auth.used` event as the tests read it: its actor, subject and payload. */
interface Used {
  readonly actor: string
  readonly subjectId: string | null
  readonly method: string
  readonly client: string
  readonly keyId?: string
  readonly sessionId?: string
  readonly minute: string
  readonly count: number
}

const used = (events: ReadonlyArray<AuditEvent.AuditEvent>): Array<Used> =>
  events
    .filter((e) => e.action === "auth.used")
    .map((e) => ({
      actor: e.actor,
      subjectId: e.subjectId,
      ...(e.payload as Omit<Used, "actor" | "subjectId">)
    }))

/** `n` successful uses at `at` plus `seconds`·i, recorded concurrently. */
const uses = (
  recorder: AuthAttempts.AuthAttempts["Service"],
  customerId: Ids.CustomerId,
  n: number,
  attempt: Omit<AuthAttempts.AuthAttempt, "at" | "outcome" | "customerId">,
  seconds = 0
) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) =>
      recorder.record({
        ...attempt,
        customerId,
        outcome: "success",
        at: DateTime.add(minute1, { seconds: seconds * i })
      }),
    { concurrency: 16, discard: true }
  )

suite("PgAuthAttempts", (it) => {
  it.effect(
    "uses are counted per key, session, client and minute, exact after a flush; failures and sessions issued at once; the chain verifies",
    () =>
      Effect.gen(function* () {
        const id = yield* onboard
        const { attempts, flush } = yield* PgAuthAttempts.makeRecorder
        // 250 uses of key A from one client over 2 minutes (0.5 s apart: 120 in the first minute, 120 in the second, 10 in the third).
        yield* uses(attempts, id, 250, { method: "api_key", client: "10.0.0.1", keyId: keyA }, 0.5)
        yield* uses(attempts, id, 150, { method: "api_key", client: "10.0.0.2", keyId: keyA })
        yield* uses(attempts, id, 70, { method: "api_key", client: "10.0.0.1", keyId: keyB })
        yield* uses(attempts, id, 30, {
          method: "session",
          client: "10.0.0.1",
          keyId: keyA,
          sessionId: session
        })
        yield* attempts.record({
          at: minute1,
          client: "10.0.0.3",
          method: "api_key",
          outcome: "failure",
          code: "AUTH.KEY_REVOKED",
          keyId: keyB,
          customerId: id
        })
        yield* attempts.record({
          at: minute1,
          client: "10.0.0.1",
          method: "exchange",
          outcome: "success",
          keyId: keyA,
          customerId: id
        })
        const before = yield* eventsOf(id)
        assert.deepStrictEqual(
          before.map((e) => e.action),
          ["auth.failed", "auth.succeeded"],
          "failures and sessions issued are not held back; uses are"
        )
        yield* flush
        const after = yield* eventsOf(id)
        const rows = used(after)
        const countOf = (match: Partial<Used>) =>
          rows
            .filter((r) => Object.entries(match).every(([k, v]) => r[k as keyof Used] === v))
            .reduce((sum, r) => sum + (r.count as number), 0)
        assert.strictEqual(countOf({}), 500)
        assert.strictEqual(rows.length, 6, "key A from .1 in 3 minutes, key A from .2, key B, the session")
        assert.deepStrictEqual(
          rows
            .filter((r) => r.client === "10.0.0.1" && r.keyId === keyA && r.method === "api_key")
            .map((r) => [r.minute, r.count]),
          [
            ["2026-10-15T12:00:00.000Z", 120],
            ["2026-10-15T12:01:00.000Z", 120],
            ["2026-10-15T12:02:00.000Z", 10]
          ]
        )
        assert.strictEqual(countOf({ client: "10.0.0.2", keyId: keyA }), 150)
        assert.strictEqual(countOf({ keyId: keyB }), 70)
        assert.strictEqual(countOf({ method: "session", sessionId: session }), 30)
        for (const r of rows)
          assert.strictEqual(
            r.actor,
            r.sessionId === undefined ? `api_key:${r.keyId}` : `session:${r.sessionId}`
          )
        assert.isTrue(rows.every((r) => r.subjectId === r.keyId))

        // Nothing is counted twice: a second flush with nothing new appends nothing.
        yield* flush
        assert.strictEqual((yield* eventsOf(id)).length, after.length)
        const verified = yield* (yield* Tenancy.Tenancy).runAs(
          id,
          AuditLog.AuditLog.use((log) => log.verify(id))
        )
        assert.strictEqual(verified._tag, "ChainIntact")
      }).pipe(Effect.provide(Fixtures.adapters)),
    120_000
  )

  it.effect("a flush that cannot write keeps its counts for the next one", () =>
    Effect.gen(function* () {
      const id = yield* onboard
      const down = yield* Ref.make(true)
      const tenancy = yield* Tenancy.Tenancy
      // The database refusing the flush's transaction while `down`.
      const flaky = Tenancy.Tenancy.of({
        ...tenancy,
        runAs: (customerId, effect) =>
          Effect.flatMap(Ref.get(down), (isDown) =>
            isDown
              ? Effect.fail(new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" }))
              : tenancy.runAs(customerId, effect)
          ) as any
      })
      const { attempts, flush } = yield* PgAuthAttempts.makeRecorder.pipe(
        Effect.provideService(Tenancy.Tenancy, flaky)
      )
      yield* uses(attempts, id, 40, { method: "api_key", client: "10.0.0.1", keyId: keyA })
      yield* flush
      assert.deepStrictEqual(used(yield* eventsOf(id)), [])
      yield* uses(attempts, id, 2, { method: "api_key", client: "10.0.0.1", keyId: keyA })
      yield* Ref.set(down, false)
      yield* flush
      assert.deepStrictEqual(
        used(yield* eventsOf(id)).map((r) => r.count),
        [42]
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("releasing the layer flushes what was counted (a graceful stop loses nothing)", () =>
    Effect.gen(function* () {
      const id = yield* onboard
      yield* Effect.scoped(
        Effect.gen(function* () {
          const attempts = yield* PgAuthAttempts.make({ flushEvery: Duration.hours(1) })
          yield* uses(attempts, id, 17, {
            method: "session",
            client: "10.0.0.9",
            keyId: keyA,
            sessionId: session
          })
          assert.deepStrictEqual(used(yield* eventsOf(id)), [])
        })
      )
      assert.deepStrictEqual(
        used(yield* eventsOf(id)).map((r) => r.count),
        [17]
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("the background flush appends without being asked", () =>
    Effect.gen(function* () {
      const id = yield* onboard
      const counted = yield* Effect.scoped(
        Effect.gen(function* () {
          const attempts = yield* PgAuthAttempts.make({ flushEvery: Duration.millis(20) })
          yield* uses(attempts, id, 5, { method: "api_key", client: "10.0.0.1", keyId: keyB })
          // Waits for the flush (no bound on when: the test's own timeout is the only limit).
          for (;;) {
            const rows = used(yield* eventsOf(id))
            if (rows.length > 0) return rows
            yield* Effect.sleep(Duration.millis(20))
          }
        })
      )
      assert.deepStrictEqual(
        counted.map((r) => r.count),
        [5]
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
