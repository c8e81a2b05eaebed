/**
 * The cost the limits add to a request, per store: one `RateLimit.consume` (the per-address limit
 * and the plan limit each do one: a read of the previous window, a conditional increment) and one
 * `FailureThrottle.check` (a read; the Authenticator makes it only after a failed credential).
 *
 * - memory: the embedded default (per process);
 * - Redis: REDIS_URL (default 127.0.0.1:6379), keys under a prefix of this run's own;
 * - DynamoDB: a local dynalite server (HTTP round trips on localhost; real DynamoDB adds the
 *   network).
 *
 * Run: `npx node bench/limits.ts` (BENCH_MS sets the time per task, default 2000).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { NodeRedis } from "@effect/platform-node"
import { Context, Effect, Layer, Scope } from "effect"
import { Bench } from "tinybench"
import {
  DynamoLimitStore,
  DynamoTables,
  MemoryLimitStore,
  RedisLimitStore
} from "../packages/adapters/src/index.ts"
import { LimitStore, RateLimit, Throttle } from "../packages/core/src/index.ts"
import { report } from "./support/report.ts"

// dynalite ships no types.
const { default: dynalite } = (await import("dynalite" as string)) as { default: any }

const server = dynalite({ createTableMs: 0 })
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
const client = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${server.address().port}`,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" }
})
await Effect.runPromise(DynamoTables.createLimitTable({ client, tableName: "bench-limits" }))

const scope = Effect.runSync(Scope.make())
const build = (layer: Layer.Layer<LimitStore.LimitStore, unknown>) =>
  Effect.runPromise(Effect.map(Layer.buildWithScope(layer, scope), Context.get(LimitStore.LimitStore)))

const stores: Record<string, LimitStore.LimitStore["Service"]> = {
  memory: await build(MemoryLimitStore.layer),
  Redis: await build(
    RedisLimitStore.layer({ prefix: `securebase-bench:${globalThis.crypto.randomUUID()}:` }).pipe(
      Layer.provide(NodeRedis.layer({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }))
    )
  ),
  "DynamoDB (dynalite)": DynamoLimitStore.make({ client, tableName: "bench-limits" })
}

const policy: RateLimit.Quota = { limit: 1_000_000_000, windowMillis: 300_000 }
const bench = new Bench({ time: Number(process.env.BENCH_MS ?? 2000) })
for (const [name, store] of Object.entries(stores)) {
  const provide = <A, E>(effect: Effect.Effect<A, E, LimitStore.LimitStore>) =>
    Effect.runPromise(Effect.provideService(effect, LimitStore.LimitStore, store))
  const throttle = await provide(Throttle.FailureThrottle.make())
  let n = 0
  bench.add(`RateLimit.consume, ${name}`, () =>
    provide(RateLimit.consume(`rate:198.51.100.${n++ % 200}`, policy))
  )
  bench.add(`FailureThrottle.check, ${name}`, () =>
    Effect.runPromise(throttle.check({ _tag: "Address", client: `203.0.113.${n++ % 200}` }))
  )
}
await bench.run()
report("Limits: one operation per request", bench)
await Effect.runPromise(Scope.close(scope, Effect.void as any))
client.destroy()
server.close()
process.exit(0)
