/**
 * Runs the property-testing example as a team would, in a child process, and checks its report and
 * exit code: its own book passes, and the literal all-units discount is caught with a counterexample.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const program = fileURLToPath(new URL("../src/property-test-your-price-book.ts", import.meta.url))

// process.execPath is the Node 24 that runs vitest (plain `node` on the PATH may be older).
const run = (...args: Array<string>) => spawnSync(process.execPath, [program, ...args], { encoding: "utf8" })

describe("examples/src/property-test-your-price-book.ts", () => {
  it("passes every property of the team's own price book and exits 0", () => {
    const { status, stdout } = run()
    assert.strictEqual(status, 0, stdout)
    assert.include(
      stdout,
      'Property-testing "Acme Telemetry list prices 2026" (capped discount), 300 runs each'
    )
    assert.include(stdout, "✓ every bill reconciles to the cent (300 runs)")
    assert.include(stdout, "✓ more usage never costs less (300 runs)")
    assert.include(stdout, "✓ an idle customer's subtotal is exactly its base price (300 runs)")
    assert.include(stdout, "All properties hold.")
    assert.notInclude(stdout, "✗")
  })

  it("catches the literal all-units discount: a larger bill that costs less, and exits 1", () => {
    const { status, stdout } = run("--discount=all-units")
    assert.strictEqual(status, 1, stdout)
    assert.include(stdout, "✓ every bill reconciles to the cent")
    assert.include(stdout, "✗ more usage never costs less")
    // The counterexample names both bills; the later one is larger before the discount and smaller after.
    const m = /pays (€[\d,.]+), but .* pay (€[\d,.]+) \(subtotal (€[\d,.]+) → (€[\d,.]+)/.exec(stdout)
    assert.isNotNull(m, stdout)
    const cents = (s: string) => BigInt(s.replace(/[€,.]/g, ""))
    const [, before, after, subtotalBefore, subtotalAfter] = m!
    assert.isTrue(cents(after!) < cents(before!), "the larger bill costs less")
    assert.isTrue(cents(subtotalAfter!) > cents(subtotalBefore!), "with more usage")
    assert.match(stdout, /replay: \[/)
    assert.include(stdout, "1 of 3 properties failed.")
  })

  it("refuses an unknown discount rule with a non-zero exit", () => {
    const { status, stderr } = run("--discount=half-price")
    assert.strictEqual(status, 1)
    assert.include(stderr, "unknown --discount=half-price")
  })
})
