import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
    // Database suites share one real PostgreSQL; files run in parallel workers, so each suite
    // creates its own database (see packages/adapters/test/support).
    // Generous on purpose: CI and the shared machines run two cores under load, where starting a
    // server on PGlite with the demo data has taken over 60 s. No test relies on being fast.
    testTimeout: 120_000,
    // vitest's default on 2 cores is ONE worker (cores - 1): the files ran one after another while
    // most of their time is spent waiting on PostgreSQL, servers and child processes. Two workers
    // overlap those waits (1,246 s of vitest on one worker, 756 s on two, 2026-11-29).
    maxWorkers: 2,
    hookTimeout: 300_000,
    // Builds (once, cached in the temporary directory) a migrated PGlite cluster and sets
    // PGLITE_TEMPLATE to it: every new embedded database the suites' servers and commands open
    // begins from it instead of an empty cluster (about 2.5 s of CPU less each; PgDatabase.embedded).
    globalSetup: ["packages/adapters/test/postgres/support/PgliteSnapshot.ts"],
    reporters: ["default", "./scripts/SummaryReporter.ts"]
  }
})
