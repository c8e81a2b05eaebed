/**
 * Who the client is, as a table: the semantics of Express's `trust proxy` (the `proxy-addr`
 * package's own cases: hop counts, trusted addresses and networks, IPv4-mapped IPv6), and the
 * cases where this module deliberately refuses what proxy-addr accepts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Result } from "effect"
import { HttpServerRequest } from "effect/http"
import * as ClientAddress from "../../src/server/ClientAddress.ts"

const trust = (raw: string): ClientAddress.TrustProxy => {
  const parsed = ClientAddress.parseTrustProxy(raw)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure)
  return parsed.success
}

const resolve = (peer: string | undefined, forwardedFor: string | undefined, trustProxy: string) =>
  ClientAddress.resolve({ peer, forwardedFor, trust: trust(trustProxy) })

describe("ClientAddress.resolve", () => {
  const xff = "10.0.0.1, 10.0.0.2"
  const cases: ReadonlyArray<
    [
      peer: string | undefined,
      xff: string | undefined,
      trust: string,
      client: string | undefined,
      why: string
    ]
  > = [
    ["127.0.0.1", xff, "false", "127.0.0.1", "nothing trusted: the peer, the header ignored"],
    ["127.0.0.1", undefined, "1", "127.0.0.1", "one hop but no header: the peer"],
    ["127.0.0.1", xff, "1", "10.0.0.2", "one hop: the entry the proxy appended"],
    ["127.0.0.1", xff, "2", "10.0.0.1", "two hops: one entry further"],
    ["127.0.0.1", xff, "3", "10.0.0.1", "every address trusted: the furthest"],
    ["127.0.0.1", xff, "127.0.0.1", "10.0.0.2", "the peer is the trusted proxy"],
    ["127.0.0.1", xff, "127.0.0.1, 10.0.0.2", "10.0.0.1", "two trusted proxies"],
    ["127.0.0.1", xff, "127.0.0.0/8, 10.0.0.2/32", "10.0.0.1", "trusted networks"],
    ["127.0.0.1", xff, "loopback", "10.0.0.2", "proxy-addr's names"],
    ["10.9.9.9", xff, "uniquelocal", "10.0.0.1", "a name covering every hop: the furthest"],
    ["127.0.0.1", xff, "10.0.0.0/8", "127.0.0.1", "the peer is not trusted: the header is ignored"],
    [
      "203.0.113.9",
      "127.0.0.1",
      "loopback",
      "203.0.113.9",
      "a spoofed trusted address in the header changes nothing"
    ],
    ["::1", "2001:db8::1", "loopback", "2001:db8::1", "IPv6 loopback"],
    ["::ffff:127.0.0.1", xff, "127.0.0.1", "10.0.0.2", "an IPv4-mapped peer matches its IPv4 address"],
    ["127.0.0.1", xff, "::ffff:127.0.0.1", "10.0.0.2", "a mapped trusted address is its IPv4 address"],
    ["10.1.2.3", "192.0.2.1", "::ffff:a00:0/104", "192.0.2.1", "a mapped network is its IPv4 network"],
    ["127.0.0.1", xff, "::1", "127.0.0.1", "an IPv6 address does not cover an IPv4 peer"],
    ["127.0.0.1", "10.0.0.1, , 10.0.0.2,", "2", "10.0.0.1", "empty entries are skipped"],
    ["127.0.0.1", "192.0.2.1:5678", "1", "192.0.2.1", "a port is dropped"],
    ["127.0.0.1", "[2001:db8::1]:443", "1", "2001:db8::1", "a bracketed IPv6 address with a port"],
    ["127.0.0.1", "::FFFF:192.0.2.1", "1", "192.0.2.1", "a mapped entry is its IPv4 address"],
    ["127.0.0.1", "2001:0DB8:0000::0001", "1", "2001:db8::1", "IPv6 is canonical: compressed, lowercase"],
    ["fe80::1%eth0", undefined, "false", "fe80::1", "a zone id is dropped"],
    [
      "127.0.0.1",
      "192.0.2.1, unknown",
      "2",
      "127.0.0.1",
      "not an address: the last address vouched for (proxy-addr: 'unknown')"
    ],
    ["127.0.0.1", "unknown, 192.0.2.1", "2", "192.0.2.1", "not an address further left is never reached"],
    ["127.0.0.1", "01.2.3.4", "1", "127.0.0.1", "leading zeros are not an address"],
    [undefined, xff, "1", undefined, "no peer (a web handler): no address"]
  ]
  for (const [peer, header, trustProxy, client, why] of cases) {
    it(`${why}: peer ${peer}, X-Forwarded-For ${JSON.stringify(header)}, TRUST_PROXY=${trustProxy} → ${client}`, () => {
      assert.strictEqual(resolve(peer, header, trustProxy), client)
    })
  }

  it("a client rotating the header behind one trusted proxy stays one client", () => {
    const seen = new Set(
      Array.from({ length: 50 }, (_, i) => resolve("127.0.0.1", `198.51.100.${i}, 203.0.113.5`, "1"))
    )
    assert.deepStrictEqual([...seen], ["203.0.113.5"])
  })
})

describe("ClientAddress.parseTrustProxy", () => {
  it("false, empty and 0 trust nothing; a number is hops; a list is networks", () => {
    for (const raw of ["false", "", " FALSE ", "0"])
      assert.deepStrictEqual(trust(raw), ClientAddress.trustNone)
    assert.deepStrictEqual(trust("2"), { _tag: "Hops", hops: 2 })
    const networks = trust("10.0.0.0/8, ::1, 192.168.0.1/255.255.255.0, loopback")
    assert.strictEqual(networks._tag, "Networks")
    assert.strictEqual(networks._tag === "Networks" ? networks.networks.length : 0, 5)
  })

  it("true is refused: it would let any client name its own address", () => {
    const parsed = ClientAddress.parseTrustProxy("true")
    assert.isTrue(Result.isFailure(parsed))
    assert.include(Result.isFailure(parsed) ? parsed.failure : "", "TRUST_PROXY=1")
  })

  it("networks that trust everything, and values that are not addresses, are refused with their reason", () => {
    for (const [raw, reason] of [
      ["0.0.0.0/0", "trusts every address"],
      ["::/0", "trusts every address"],
      ["::ffff:0:0/96", "trusts every address"],
      ["10.0.0.0/33", "invalid prefix length"],
      ["10.0.0.0/255.0.255.0", "invalid prefix length"],
      ["10.0.0.0/-1", "invalid prefix length"],
      ["proxy.internal", "not an IP address"],
      ["yes", "not an IP address"],
      ["65", "at most 64"],
      [",", "lists no address"]
    ] as const) {
      const parsed = ClientAddress.parseTrustProxy(raw)
      assert.isTrue(Result.isFailure(parsed), raw)
      assert.include(Result.isFailure(parsed) ? parsed.failure : "", reason, raw)
    }
  })
})

describe("ClientAddress.ofRequest", () => {
  const request = HttpServerRequest.fromWeb(
    new Request("http://app.test/", { headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.5" } })
  ).modify({ remoteAddress: Option.some("127.0.0.1") })

  it.effect("reads the peer and the header", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* ClientAddress.ofRequest(request, trust("1")), "203.0.113.5")
    })
  )

  it.effect("a platform's address (API Gateway's sourceIp) wins over any header and trust setting", () =>
    Effect.gen(function* () {
      const client = yield* ClientAddress.ofRequest(request, trust("2")).pipe(
        Effect.provideService(ClientAddress.PlatformClientAddress, "::ffff:192.0.2.44")
      )
      assert.strictEqual(client, "192.0.2.44")
    })
  )

  it.effect("without a peer or a platform address: unknown", () =>
    Effect.gen(function* () {
      const bare = HttpServerRequest.fromWeb(new Request("http://app.test/"))
      assert.strictEqual(yield* ClientAddress.ofRequest(bare, trust("1")), "unknown")
    })
  )
})
