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

const statFields = (pid: string | number): ReadonlyArray<string> | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    // The process ended between the directory listing and the read.
    return undefined
  }
}

/** The parent of `pid` (a PostgreSQL backend's parent is its postmaster), if /proc shows it. */
export const parentOf = (pid: number): number | undefined => {
  const fields = statFields(pid)
  return fields === undefined ? undefined : Number(fields[1])
}

/**
 * User + system CPU milliseconds used so far by a PostgreSQL cluster on this machine: its
 * postmaster, every live child (backends, WAL writer, checkpointer, autovacuum) and, through the
 * postmaster's reaped-children times, every child that has exited (a pool's closed connections).
 */
export const clusterCpuMillis = (postmasterPid: number): number => {
  const reaped = () => {
    const own = statFields(postmasterPid)
    return own === undefined ? 0 : Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])
  }
  // A child reaped while the children are read moves its time into the postmaster's between the
  // two reads: read again until the postmaster's total did not change around the children's.
  for (;;) {
    const before = reaped()
    let ticks = 0
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const fields = statFields(entry)
      if (fields !== undefined && Number(fields[1]) === postmasterPid)
        ticks += Number(fields[11]) + Number(fields[12])
    }
    if (reaped() === before) return ((before + ticks) * 1000) / ticksPerSecond
  }
}

/** The postmaster's pid from its data directory's `postmaster.pid` (first line). */
export const postmasterPid = (dataDirectory: string): number =>
  Number(readFileSync(`${dataDirectory}/postmaster.pid`, "utf8").split("\n")[0])
