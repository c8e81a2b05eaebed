/**
 * Ids of invoices and notifications come from a CSPRNG (effect/crypto `SecureRandom`), never from
 * `Random` (a seedable, predictable generator): an id is all that names another tenant's object in
 * a URL, and a predictable one can be guessed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Customer, CustomerPricing, Ids, Metric, Notification, Period, Usage } from "@securebase/core"
import { Effect, Random, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import * as Fixtures from "./fixtures.ts"

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("Ids.randomUuid", () => {
  it.effect(
    "ids were predictable: the same Random seed no longer gives the same notification or invoice id",
    () =>
      Effect.gen(function* () {
        const twice = <A>(effect: Effect.Effect<A>) =>
          Effect.all([effect.pipe(Random.withSeed("same seed")), effect.pipe(Random.withSeed("same seed"))])
        const [a, b] = yield* twice(Notification.makeId)
        assert.notStrictEqual(a, b)
        const [x, y] = yield* twice(Ids.randomUuid)
        assert.notStrictEqual(x, y)
        assert.match(a, v4)
        assert.match(x, v4)
      })
  )

  it.effect("ids are drawn from the SecureRandom in context when there is one", () =>
    Effect.gen(function* () {
      // A stand-in byte source (labelled: a fixed one, to see that the service is what is used).
      const fixed = SecureRandom.make((size) => new Uint8Array(size).fill(0xab))
      const id = yield* Ids.randomUuid.pipe(Effect.provideService(SecureRandom.SecureRandom, fixed))
      assert.strictEqual(id, "abababab-abab-4bab-abab-abababababab")
      const customer = new Customer.Customer({
        id: Fixtures.customerId,
        name: "Acme",
        email: "billing@acme.test",
        plan: "standard",
        status: "active",
        taxProfile: {},
        netDays: 30
      })
      const draft = yield* CustomerPricing.priceUsage(
        customer,
        Schema.decodeSync(Period.Period)("2026-10"),
        yield* Usage.metrics(Metric.defaultCatalog, {}),
        { at: Fixtures.createdAt }
      ).pipe(Effect.provideService(SecureRandom.SecureRandom, fixed))
      assert.strictEqual(draft.id, "abababab-abab-4bab-abab-abababababab")
    })
  )

  it.effect("without one, a thousand ids are distinct version-4 UUIDs", () =>
    Effect.gen(function* () {
      const ids = yield* Effect.all(Array.from({ length: 1000 }, () => Ids.randomUuid))
      assert.strictEqual(new Set(ids).size, 1000)
      for (const id of ids) assert.match(id, v4)
    })
  )
})
