import { assert, describe, it } from "@effect/vitest"
import { RateLimit } from "../../src/index.ts"

const policy: RateLimit.Quota = { limit: 10, windowMillis: 60_000 }

describe("RateLimit: the sliding-window arithmetic", () => {
  it("the current window's ceiling is the limit less the previous window's overlapping share", () => {
    assert.strictEqual(RateLimit.ceiling(0, 0, policy), 10)
    // 10 in the previous window, the sliding window at its start: all of them still count.
    assert.strictEqual(RateLimit.ceiling(10, 0, policy), 0)
    // Half-way through: half of them (5) still count.
    assert.strictEqual(RateLimit.ceiling(10, 30_000, policy), 5)
    // Rounded down, so the estimate never passes the limit: 10 − 3 × 0.9 = 7.3 → 7.
    assert.strictEqual(RateLimit.ceiling(3, 6_000, policy), 7)
  })

  it("Retry-After is the wait until the estimate leaves room for one more request", () => {
    // A full previous window, nothing yet in this one: room once a tenth of it has decayed.
    assert.strictEqual(RateLimit.retryAfterSeconds(10, 0, 0, policy), 6)
    // Ten in this window and none before: the next window, where those ten weigh until 1/10 decays.
    assert.strictEqual(RateLimit.retryAfterSeconds(0, 10, 0, policy), 66)
    // Never less than a second.
    assert.strictEqual(RateLimit.retryAfterSeconds(10, 0, 5_999, policy), 1)
  })
})
