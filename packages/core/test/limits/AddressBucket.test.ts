import { assert, describe, it } from "@effect/vitest"
import { AddressBucket } from "../../src/index.ts"

describe("AddressBucket", () => {
  it("an IPv4 address is its own bucket, in canonical form", () => {
    assert.strictEqual(AddressBucket.of("192.0.2.1"), "192.0.2.1")
    assert.strictEqual(AddressBucket.of("::ffff:192.0.2.1"), "192.0.2.1")
    assert.strictEqual(AddressBucket.of("::ffff:c000:201"), "192.0.2.1")
  })

  it("an IPv6 address counts in its /64, however it is spelled", () => {
    assert.strictEqual(AddressBucket.of("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64")
    assert.strictEqual(AddressBucket.of("2001:DB8:0001:0002::9"), "2001:db8:1:2::/64")
    assert.notStrictEqual(AddressBucket.of("2001:db8:1:3::1"), AddressBucket.of("2001:db8:1:2::1"))
  })

  it("something that is not an address is a bucket of its own", () => {
    assert.strictEqual(AddressBucket.of("unknown"), "unknown")
  })
})
