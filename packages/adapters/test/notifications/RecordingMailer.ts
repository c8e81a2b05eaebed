/**
 * An in-memory `Mailer` for tests: it keeps what it accepted, and can be told to refuse the next
 * `n` messages (as a flaky provider would) or every message.
 */
import { Mailer } from "@securebase/core"
import { Context, Effect, Layer, Ref } from "effect"

/** The mail the recording mailer accepted, and its failure switch. */
export class MailRecord extends Context.Service<
  MailRecord,
  {
    readonly sent: Ref.Ref<ReadonlyArray<Mailer.MailMessage>>
    /** How many of the next sends fail (retryable); -1 for all. */
    readonly failNext: Ref.Ref<number>
  }
>()("@securebase/adapters/test/MailRecord") {}

/** The mailer and its record. */
export const layer: Layer.Layer<Mailer.Mailer | MailRecord> = Layer.effectContext(
  Effect.gen(function* () {
    const sent = yield* Ref.make<ReadonlyArray<Mailer.MailMessage>>([])
    const failNext = yield* Ref.make(0)
    const mailer = Mailer.Mailer.of({
      send: (message) =>
        Effect.gen(function* () {
          const failing = yield* Ref.modify(failNext, (n) => [n, n > 0 ? n - 1 : n] as const)
          if (failing !== 0)
            return yield* new Mailer.MailError({ reason: "provider unavailable", retryable: true })
          yield* Ref.update(sent, (xs) => [...xs, message])
          return `recorded-${message.id}`
        })
    })
    return Context.make(Mailer.Mailer, mailer).pipe(
      Context.add(MailRecord, MailRecord.of({ sent, failNext }))
    )
  })
)
