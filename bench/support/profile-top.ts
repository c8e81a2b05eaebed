/**
 * The top frames of a V8 CPU profile (`node --cpu-prof`): self time per function and, by file,
 * where the time goes. What the benchmarks' notes quote when they say what bounds a figure.
 *
 *   npx node bench/support/profile-top.ts <file.cpuprofile> [count] [last seconds]
 *
 * With `last seconds`, only the samples of the profile's final seconds count: the load phase of a
 * benchmark's server (stopped right after it), not its start (module loading, seeding).
 */
import { readFileSync } from "node:fs"

interface Node {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
const profile = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as {
  nodes: ReadonlyArray<Node>
  samples: ReadonlyArray<number>
  timeDeltas: ReadonlyArray<number>
}
const count = Number(process.argv[3] ?? 25)
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const last = process.argv[4] === undefined ? undefined : Number(process.argv[4]) * 1e6
const times: Array<number> = []
let clock = 0
for (const delta of profile.timeDeltas) {
  clock += delta
  times.push(clock)
}
const from = last === undefined ? 0 : clock - last
const self = new Map<number, number>()
for (const [i, id] of profile.samples.entries())
  if (times[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
const total = [...self.values()].reduce((a, b) => a + b, 0)
const short = (url: string) =>
  url.replace(/^file:\/\/.*?node_modules\//, "").replace(/^file:\/\/.*?\/packages\//, "packages/")
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us)
const frames = new Map<string, number>()
const files = new Map<string, number>()
for (const [id, us] of self) {
  const f = byId.get(id)!.callFrame
  add(frames, `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`, us)
  add(
    files,
    f.url === "" ? f.functionName : short(f.url).replace(/(node_modules\/)?(@[^/]+\/[^/]+|[^/]+)\/.*/, "$2"),
    us
  )
}
const top = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({
      "self %": ((100 * us) / total).toFixed(1),
      "self ms": (us / 1000).toFixed(0),
      name
    }))
console.log(`${(total / 1e6).toFixed(1)} s sampled`)
console.table(top(frames))
console.table(top(files))
