import { assert } from "@effect/vitest"
import { Tenancy } from "@securebase/core"
import { Effect } from "effect"
import * as PgInvoiceNumbers from "../../src/postgres/PgInvoiceNumbers.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const next = (year: number) => Effect.flatMap(PgInvoiceNumbers.make, (numbers) => numbers.next(year))

// Each test takes its own year so the counters do not interfere.
suite("PgInvoiceNumbers", (it) => {
  it.effect("numbers a year consecutively, and a rolled-back allocation leaves no gap", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const first = yield* tenancy.runAsWorker(next(2031))
      const failed = yield* Effect.flip(
        tenancy.runAsWorker(Effect.andThen(next(2031), Effect.fail("issuing failed" as const)))
      )
      const second = yield* tenancy.runAsWorker(next(2031))
      const otherYear = yield* tenancy.runAsWorker(next(2032))
      assert.strictEqual(failed, "issuing failed")
      assert.deepStrictEqual(
        [first, second, otherYear],
        ["INV-2031-000001", "INV-2031-000002", "INV-2032-000001"]
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("only the worker may number invoices: the app role is refused with a typed error", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const error = yield* Effect.flip(tenancy.runAs(Fixtures.customerId(), next(2033)))
      assert.strictEqual(error._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("concurrent issuers get distinct numbers with no gap", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const numbers = yield* Effect.forEach(
        Array.from({ length: 20 }),
        () => tenancy.runAsWorker(next(2034)),
        { concurrency: 10 }
      )
      assert.deepStrictEqual(
        [...numbers].sort(),
        Array.from({ length: 20 }, (_, i) => `INV-2034-${String(i + 1).padStart(6, "0")}`)
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
