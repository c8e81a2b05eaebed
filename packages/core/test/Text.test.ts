/**
 * Text PostgreSQL stores unchanged: NUL and lone surrogates are refused everywhere (the database
 * refused the first with a 5xx and silently replaced the second, so an identical resend was a
 * conflict); control characters by kind of field; lengths in characters, as the database counts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { Text } from "../src/index.ts"

const accepts = (schema: Schema.Codec<string, string>, s: string) =>
  Result.isSuccess(Schema.decodeUnknownResult(schema)(s))
const problem = (schema: Schema.Codec<string, string>, s: string): string => {
  const r = Schema.decodeUnknownResult(schema)(s)
  return Result.isFailure(r) ? r.failure.message : "accepted"
}

const line = Text.singleLine({ minimum: 1, maximum: 10 })
const block = Text.multiLine({ minimum: 1, maximum: 10 })
const stored = Text.storable({ minimum: 1, maximum: 10 })

describe("Text", () => {
  it("NUL and lone surrogates are refused by every text schema, with a message that says which", () => {
    for (const schema of [line, block, stored]) {
      assert.include(problem(schema, "a\u0000b"), "NUL")
      for (const s of ["\ud800", "x\udc00", "\ud83d", "a\udfffb"])
        assert.include(problem(schema, s), "lone surrogate")
    }
    assert.isTrue(accepts(stored, "a\tb\nc\u001b"), "storable alone says nothing about controls")
  })

  it("a single line refuses every control character, line separators and bidirectional controls", () => {
    for (const s of [
      "a\nb",
      "a\rb",
      "a\tb",
      "\u001b[2J",
      "a\u007f",
      "a\u0085",
      "a\u009b",
      "a\u2028",
      "a\u2029",
      "\u202eevil",
      "a\u2066b"
    ]) {
      assert.isFalse(accepts(line, s), JSON.stringify(s))
    }
    for (const s of ["Ünïcödé", "😀 ok", "שלום\u200f", "a b"]) assert.isTrue(accepts(line, s), s)
  })

  it("several lines allow tab, LF and CR and refuse the other controls", () => {
    assert.isTrue(accepts(block, "a\tb\r\nc\n"))
    for (const s of ["\u001b[2J", "a\u0008", "a\u000c", "a\u007f", "a\u0085"]) {
      assert.isFalse(accepts(block, s), JSON.stringify(s))
    }
  })

  it("lengths count characters as PostgreSQL's length() does: an emoji is one", () => {
    assert.strictEqual(Text.characters("😀x"), 2)
    assert.strictEqual("😀x".length, 3)
    const subject = Text.singleLine({ minimum: 3, maximum: 5 })
    assert.include(problem(subject, "😀x"), "at least 3 characters")
    assert.isTrue(accepts(subject, "😀😀😀😀😀"), "five characters, ten code units")
    assert.include(problem(subject, "😀😀😀😀😀😀"), "at most 5 characters")
  })

  it("trimmed, when asked", () => {
    const trimmed = Text.singleLine({ minimum: 1, maximum: 10, trimmed: true })
    assert.isFalse(accepts(trimmed, " a"))
    assert.isTrue(accepts(trimmed, "a b"))
  })
})
