/** Runs the embedding example as a user would and checks the bills it prints, computed by hand. */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const program = fileURLToPath(new URL("../src/embed-the-core.ts", import.meta.url))

describe("examples/src/embed-the-core.ts", () => {
  it("prices October 2026 for the four demo tenants", () => {
    // process.execPath is the Node 24 that runs vitest.
    const out = execFileSync(process.execPath, [program, "2026-10"], { encoding: "utf8" })
    for (const number of ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "INV-2026-000004"]) {
      assert.include(out, number)
    }
    // fintech: $8,000 + 1,820,000 calls × $0.0003 ($546) + 4 accounts × $120 ($480) = $9,026.00;
    // 5% = $451.30 off → $8,574.70; 8% tax = $685.976 → $685.98; total $9,260.68.
    assert.match(out, /Subtotal\s+\$9,026\.00/)
    assert.match(out, /-\$451\.30/)
    assert.match(out, /Sales tax 8% on \$8,574\.70\s+\$685\.98/)
    assert.match(out, /TOTAL\s+\$9,260\.68/)
    // The exempt federal agency pays no tax.
    assert.match(out, /Tax exempt: US federal government purchaser/)
    assert.match(out, /4 invoices issued, \$52,193\.36 in total/)
  })

  it("refuses a malformed period with a non-zero exit", () => {
    let status = 0
    try {
      execFileSync(process.execPath, [program, "2026-13"], { encoding: "utf8", stdio: "pipe" })
    } catch (error) {
      status = (error as { status: number }).status
    }
    assert.strictEqual(status, 1)
  })
})
