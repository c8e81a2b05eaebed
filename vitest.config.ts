import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
    // Database suites share one real PostgreSQL; files run in parallel workers, so each suite
    // creates its own database (see packages/adapters/test/support).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./scripts/SummaryReporter.ts"]
  }
})
