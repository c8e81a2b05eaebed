/**
 * The CPU time a process has used (user + system, from `/proc/<pid>/stat`, Linux), so a benchmark
 * can report the server's CPU per request: on a machine shared with other work, throughput
 * measures the scheduler's share as much as the code (one Node thread competes with every other
 * runnable thread, pgbench's 16 backends get 16 shares), while CPU per request does not.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())

/** User + system CPU milliseconds used so far by `pid` (its threads included). */
export const cpuMillis = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name (which may contain spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
}

const statFields = (pid: number): Array<string> | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

/** The parent of `pid` (a PostgreSQL backend's parent is its postmaster), if /proc shows it. */
export const parentOf = (pid: number): number | undefined => {
  const fields = statFields(pid)
  return fields === undefined ? undefined : Number(fields[1])
}

/**
 * User + system CPU milliseconds of a PostgreSQL server so far: the postmaster, its live children
 * (backends, WAL writer, checkpointer) and the children it has reaped (their time is added to the
 * postmaster's `cutime`/`cstime` when they exit). Only meaningful for a server nobody else uses.
 */
export const serverCpuMillis = (postmaster: number): number => {
  const own = statFields(postmaster)
  if (own === undefined) return Number.NaN
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const fields = statFields(Number(entry))
    if (fields !== undefined && Number(fields[1]) === postmaster)
      ticks += Number(fields[11]) + Number(fields[12])
  }
  return (ticks * 1000) / ticksPerSecond
}
