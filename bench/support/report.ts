/** The one way the tinybench benchmarks print their results: ops/s, p50 and p99 per task. */
import type { Bench } from "tinybench"

/** Prints a titled table of a finished run. */
export const report = (title: string, bench: Bench): void => {
  console.log(`${title}, Node ${process.version}, ${new Date().toISOString()}`)
  console.table(
    bench.tasks.map((t) => {
      const r = t.result as any
      return {
        task: t.name,
        "ops/s": Math.round(r.throughput.mean).toLocaleString("en-US"),
        "p50 µs": (r.latency.p50 * 1000).toFixed(1),
        "p99 µs": (r.latency.p99 * 1000).toFixed(1),
        samples: r.latency.samples?.length ?? r.latency.samplesCount
      }
    })
  )
}
