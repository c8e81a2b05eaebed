/**
 * `securebase price-book check FILE` as a user runs it (a separate process on the workspace's
 * bin): a book that obeys the laws exits 0 with every law ticked; one with the gov-federal Volume
 * cliff exits 1 naming the plan, the metric and the amounts; a file that is not JSON, not a price
 * book, or not there exits 2 with a message naming what is wrong.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Decimal, PriceBook } from "@securebase/core"
import { Effect, Schema } from "effect"
import { securebase } from "../support/Cli.ts"

const timeout = { timeout: 300_000 }
const encode = Schema.encodeSync(PriceBook.PriceBook)

/** The reference book with gov-federal API calls priced by Volume (the cliff it used to have). */
const withCliff = Effect.runSync(
  PriceBook.withCharge(PriceBook.referenceCard, "gov-federal", {
    _tag: "Usage",
    code: "api_calls",
    description: "API calls",
    metric: "api_calls" as never,
    included: Decimal.unsafe("20000000"),
    model: {
      _tag: "Volume",
      bands: [
        { upTo: Decimal.unsafe("100000000"), unitPrice: Decimal.unsafe("0.0002") },
        { upTo: null, unitPrice: Decimal.unsafe("0.00015") }
      ]
    }
  })
)

/** Writes `files` into a new temporary directory; removed when the scope closes. */
const files = (contents: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await mkdtemp(join(tmpdir(), "sb-price-book-"))
      for (const [name, text] of Object.entries(contents)) await writeFile(join(dir, name), text)
      return dir
    }),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )

describe("securebase price-book check", () => {
  it.effect(
    "--help explains the command and exits 0",
    () =>
      Effect.gen(function* () {
        const r = yield* securebase(["price-book", "check", "--help"])
        assert.strictEqual(r.code, 0, r.stderr)
        assert.include(r.stdout, "--runs")
        assert.match(
          r.stdout,
          /exit 0 when they hold, 1 with counterexamples, 2 when the file is not a valid book/
        )
      }),
    timeout
  )

  it.effect(
    "a book that obeys every law: each law ticked, exit 0 (the shipped book, and an example's own)",
    () =>
      Effect.gen(function* () {
        const dir = yield* files({ "reference.json": JSON.stringify(encode(PriceBook.referenceCard)) })
        for (const file of [join(dir, "reference.json"), "examples/books/orbital-payments.json"]) {
          const r = yield* securebase(["price-book", "check", file, "--runs", "25"])
          assert.strictEqual(r.code, 0, `${file}: ${r.stdout}${r.stderr}`)
          assert.include(r.stdout, "✓ monotone")
          assert.include(r.stdout, "✓ coupons-never-negative")
          assert.include(r.stdout, "The book obeys every law.")
        }
      }).pipe(Effect.scoped),
    timeout
  )

  it.effect(
    "a book with a cliff: the counterexample with its plan, metric and amounts, exit 1",
    () =>
      Effect.gen(function* () {
        const dir = yield* files({ "cliff.json": JSON.stringify(encode(withCliff)) })
        const r = yield* securebase(["price-book", "check", join(dir, "cliff.json"), "--runs", "25"])
        assert.strictEqual(r.code, 1, r.stdout + r.stderr)
        assert.include(r.stdout, "✗ monotone")
        assert.include(r.stdout, "✓ reconciliation")
        assert.include(
          r.stdout,
          "plan gov-federal, metric api_calls: 120000000.001 api_calls cost $41,040.00"
        )
        assert.match(r.stdout, /\d+ counterexample\(s\)\./)
      }).pipe(Effect.scoped),
    timeout
  )

  it.effect(
    "not JSON, not a price book, no such file, a bad flag: exit 2 with what is wrong",
    () =>
      Effect.gen(function* () {
        const book = encode(PriceBook.referenceCard) as any
        const percent = { ...book, discount: { ...book.discount, rate: "5" } }
        const badPlan = { ...book, plans: { ...book.plans, Enterprise: book.plans.standard } }
        const dir = yield* files({
          "broken.json": "{ not json",
          "percent.json": JSON.stringify(percent),
          "bad-plan.json": JSON.stringify(badPlan)
        })
        const cases: ReadonlyArray<[ReadonlyArray<string>, RegExp]> = [
          [[join(dir, "broken.json")], /broken\.json is not JSON/],
          [
            [join(dir, "percent.json")],
            /not a valid price book:[\s\S]*between 0 and 1[\s\S]*\["discount"\]\["rate"\]/
          ],
          [
            [join(dir, "bad-plan.json")],
            /expected a plan code such as standard or pro, got "Enterprise"[\s\S]*\["plans"\]/
          ],
          [[join(dir, "missing.json")], /missing\.json/],
          [[join(dir, "broken.json"), "--runs", "0"], /--runs must be from 1 to 10000/]
        ]
        for (const [args, expected] of cases) {
          const r = yield* securebase(["price-book", "check", ...args])
          assert.strictEqual(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`)
          assert.match(r.stdout + r.stderr, expected, args.join(" "))
        }
      }).pipe(Effect.scoped),
    timeout
  )
})
