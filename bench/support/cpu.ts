/**
 * The CPU time a process has used (user + system, from `/proc/<pid>/stat`, Linux), so a benchmark
 * can report the server's CPU per request: on a machine shared with other work, throughput
 * measures the scheduler's share as much as the code (one Node thread competes with every other
 * runnable thread, pgbench's 16 backends get 16 shares), while CPU per request does not.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())

/** User + system CPU milliseconds used so far by `pid` (its threads included). */
export const cpuMillis = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name (which may contain spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
}
