/** The resend limit's window: the UTC clock hour, and the whole seconds until the next one (never 0). */
import { assert, describe, it } from "@effect/vitest"
import { InvoiceResend } from "@securebase/core"
import { DateTime } from "effect"

const at = (iso: string) => DateTime.makeUnsafe(iso)

describe("InvoiceResend.window", () => {
  it("is the UTC hour the instant falls in", () => {
    const w = InvoiceResend.window(at("2026-11-02T09:15:00.000Z"))
    assert.strictEqual(DateTime.formatIso(w.start), "2026-11-02T09:00:00.000Z")
    assert.strictEqual(w.secondsLeft, 45 * 60)
  })

  it("rounds a part second up, so Retry-After never invites a request the limit still refuses", () => {
    assert.strictEqual(InvoiceResend.window(at("2026-11-02T09:15:00.500Z")).secondsLeft, 45 * 60)
    assert.strictEqual(InvoiceResend.window(at("2026-11-02T09:59:59.999Z")).secondsLeft, 1)
  })

  it("starts afresh on the hour", () => {
    const w = InvoiceResend.window(at("2026-11-02T10:00:00.000Z"))
    assert.strictEqual(DateTime.formatIso(w.start), "2026-11-02T10:00:00.000Z")
    assert.strictEqual(w.secondsLeft, 3600)
  })
})
