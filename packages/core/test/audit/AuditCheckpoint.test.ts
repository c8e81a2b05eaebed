import { assert, describe, it } from "@effect/vitest"
import { DateTime, Schema } from "effect"
import { AuditCheckpoint } from "../../src/index.ts"

const content = {
  customerId: "0B9E2C57-51A4-4C8C-9F0A-3D2F1E6B7A10",
  seq: 42,
  hash: "ab".repeat(32),
  events: 42,
  signedAt: DateTime.makeUnsafe("2026-11-22T10:00:00Z"),
  keyId: "2026-11",
  algorithm: "Ed25519"
} as unknown as AuditCheckpoint.CheckpointContent

describe("AuditCheckpoint", () => {
  it("signs a documented, line-based encoding: lowercase customer id, ISO time with milliseconds", () => {
    assert.strictEqual(
      new TextDecoder().decode(AuditCheckpoint.canonicalBytes(content)),
      [
        "securebase-audit-checkpoint/1",
        "customer:0b9e2c57-51a4-4c8c-9f0a-3d2f1e6b7a10",
        "seq:42",
        `hash:${"ab".repeat(32)}`,
        "events:42",
        "signed-at:2026-11-22T10:00:00.000Z",
        "key-id:2026-11",
        "algorithm:Ed25519"
      ].join("\n")
    )
  })

  it("every signed field changes the bytes", () => {
    const base = AuditCheckpoint.canonicalBytes(content).join(",")
    for (const change of [
      { seq: 41 },
      { events: 41 },
      { hash: "cd".repeat(32) },
      { keyId: "2026-10" },
      { signedAt: DateTime.makeUnsafe("2026-11-22T10:00:00.001Z") },
      { customerId: "1b9e2c57-51a4-4c8c-9f0a-3d2f1e6b7a10" }
    ]) {
      const changed = AuditCheckpoint.canonicalBytes({
        ...content,
        ...change
      } as AuditCheckpoint.CheckpointContent)
      assert.notStrictEqual(changed.join(","), base, JSON.stringify(change))
    }
  })

  it("a key id cannot carry a newline (or anything outside letters, digits, . _ -)", () => {
    for (const bad of ["", "k\nseq:1", "k:1", "a".repeat(65), "k 1"]) {
      assert.strictEqual(
        Schema.decodeUnknownResult(AuditCheckpoint.KeyId)(bad)._tag,
        "Failure",
        JSON.stringify(bad)
      )
    }
    assert.strictEqual(Schema.decodeUnknownResult(AuditCheckpoint.KeyId)("prod-2026.11_a")._tag, "Success")
  })

  it("describes a verdict with the customer and the first bad or missing event", () => {
    const customerId = content.customerId
    assert.strictEqual(
      AuditCheckpoint.describe(
        new AuditCheckpoint.AnchorBroken({
          customerId,
          seq: 4,
          eventId: null,
          reason: "truncated",
          checkpointSeq: 5
        })
      ),
      `FAILED ${customerId}: seq 4 (event missing): truncated (checkpoint at seq 5)`
    )
    assert.strictEqual(
      AuditCheckpoint.describe(
        new AuditCheckpoint.AnchorHolds({ customerId, events: 7, checkpointSeq: 5, unanchored: 2 })
      ),
      `ok ${customerId}: 7 events, checkpoint at seq 5, 2 after it`
    )
  })
})
