/**
 * Who the client is: the address the per-address rate limit, the tier limit's neighbours and the
 * authentication throttle count against, and the address the audit trail records.
 *
 * The convention of Express's `trust proxy` (the `proxy-addr` package): a request's addresses are
 * the socket's peer followed by the `X-Forwarded-For` entries from right to left (each proxy
 * appends the address it received the request from, so only the right end was written by a
 * proxy; the left is whatever the client sent). Walking that list from the peer, every trusted
 * address is passed over; the first untrusted one is the client. With nothing trusted (the
 * default) the client is the peer and the header is ignored.
 *
 * `TRUST_PROXY` is `false`, a number of trusted hops (the peer and the next n − 1 entries, for n
 * proxies in front of the server), or a comma-separated list of trusted proxy addresses and
 * networks (`10.0.0.0/8`, `::1`, `10.0.0.0/255.0.0.0`, and proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`). `true` (Express: trust every hop, so the client is the leftmost,
 * client-written entry) is refused, as is any network of prefix length 0: either lets a client
 * name its own address.
 *
 * Differences from proxy-addr, each refusing something a client could write: an entry that is
 * not an IP address ends the walk at the last trusted address before it (proxy-addr would return
 * the garbage string, a fresh key per request); addresses are canonical (an IPv4-mapped IPv6
 * address is its IPv4 address, IPv6 is compressed and lowercase, ports, brackets and zone ids are
 * dropped), so no spelling of one address is a second client.
 *
 * On Lambda the client is API Gateway's `sourceIp`, which the caller cannot write: the handler
 * provides it as `PlatformClientAddress`, and headers and trust settings are then ignored.
 */
import { Context, Effect, Option, Result } from "effect"
import type { HttpServerRequest } from "effect/http"
import { IpNetwork, NetAddress } from "effect/net"

/** Which proxies in front of the server are trusted to append to `X-Forwarded-For`. */
export type TrustProxy =
  | { readonly _tag: "None" }
  | { readonly _tag: "Hops"; readonly hops: number }
  | { readonly _tag: "Networks"; readonly networks: ReadonlyArray<IpNetwork.IpNetwork> }

/** Trust nothing: the client is the socket's peer. */
export const trustNone: TrustProxy = { _tag: "None" }

const named: Readonly<Record<string, ReadonlyArray<string>>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
}

const stripZone = (address: string): string => {
  const at = address.indexOf("%")
  return at === -1 ? address : address.slice(0, at)
}

/** An IP address from an address as written (bare, bracketed, with a port or an IPv6 zone). */
const parseAddress = (raw: string): NetAddress.IpAddress | undefined => {
  const input = raw.trim()
  const bare = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input
  const ip = NetAddress.ipFromString(stripZone(bare))
  if (Result.isSuccess(ip)) return NetAddress.toCanonical(ip.success)
  const inet = NetAddress.inetAddressFromString(input)
  return Result.isSuccess(inet) ? NetAddress.toCanonical(inet.success.address) : undefined
}

/** The canonical form of an address (see the module's notes), or `undefined` if it is none. */
export const canonical = (raw: string): string | undefined => {
  const ip = parseAddress(raw)
  return ip === undefined ? undefined : NetAddress.formatIp(ip)
}

// A dotted IPv4 netmask as a prefix length, if its ones are contiguous.
const netmaskPrefix = (mask: string): number | undefined => {
  const ip = NetAddress.ipv4FromString(mask)
  if (Result.isFailure(ip)) return undefined
  const bits = NetAddress.formatIp(ip.success)
    .split(".")
    .map((octet) => Number(octet).toString(2).padStart(8, "0"))
    .join("")
  return /^1*0*$/.test(bits) ? (bits.indexOf("0") === -1 ? 32 : bits.indexOf("0")) : undefined
}

/** One trusted address or network (`10.0.0.1`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1/128`). */
const parseNetwork = (entry: string): Result.Result<IpNetwork.IpNetwork, string> => {
  const slash = entry.lastIndexOf("/")
  const addressPart = slash === -1 ? entry : entry.slice(0, slash)
  const rangePart = slash === -1 ? undefined : entry.slice(slash + 1)
  const parsed = NetAddress.ipFromString(addressPart)
  if (Result.isFailure(parsed)) return Result.fail(`"${entry}" is not an IP address or network`)
  let ip: NetAddress.IpAddress = parsed.success
  const width = NetAddress.width(ip)
  let prefix: number | undefined
  if (rangePart === undefined) prefix = width
  else if (/^\d{1,3}$/.test(rangePart)) prefix = Number(rangePart)
  else if (NetAddress.isIpv4Address(ip)) prefix = netmaskPrefix(rangePart)
  if (prefix === undefined || prefix > width) return Result.fail(`"${entry}" has an invalid prefix length`)
  // An IPv4-mapped IPv6 network is the IPv4 network it maps (addresses are canonical IPv4).
  const mapped = NetAddress.isIpv6Address(ip) ? NetAddress.fromIpv4Mapped(ip) : Option.none()
  if (Option.isSome(mapped) && prefix >= 96) {
    ip = mapped.value
    prefix -= 96
  }
  if (prefix === 0) {
    return Result.fail(
      `"${entry}" trusts every address, so any client could name its own; list your proxies' networks`
    )
  }
  const network = IpNetwork.fromAddress(ip, prefix)
  return Result.isSuccess(network)
    ? Result.succeed(network.success)
    : Result.fail(`"${entry}" is not a valid network`)
}

/**
 * Parses `TRUST_PROXY`: `false` (or empty, or 0), a hop count, or a list of addresses, networks
 * and names. Fails with a sentence naming what is wrong.
 */
export const parseTrustProxy = (raw: string): Result.Result<TrustProxy, string> => {
  const value = raw.trim().toLowerCase()
  if (value === "" || value === "false" || value === "0") return Result.succeed(trustNone)
  if (value === "true") {
    return Result.fail(
      "TRUST_PROXY=true would trust every X-Forwarded-For entry, so any client could choose its own " +
        "address: set the number of proxies in front of the server (TRUST_PROXY=1) or their addresses " +
        "(TRUST_PROXY=10.0.0.0/8,::1)"
    )
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value)
    return hops <= 64
      ? Result.succeed({ _tag: "Hops", hops })
      : Result.fail(`TRUST_PROXY=${value}: at most 64 trusted hops`)
  }
  const networks: Array<IpNetwork.IpNetwork> = []
  const problems: Array<string> = []
  for (const entry of value.split(",").map((e) => e.trim())) {
    if (entry === "") continue
    for (const item of named[entry] ?? [entry]) {
      const network = parseNetwork(item)
      if (Result.isSuccess(network)) networks.push(network.success)
      else problems.push(network.failure)
    }
  }
  if (problems.length > 0) return Result.fail(`TRUST_PROXY: ${problems.join("; ")}`)
  if (networks.length === 0) return Result.fail("TRUST_PROXY lists no address")
  return Result.succeed({ _tag: "Networks", networks })
}

const inNetwork = (network: IpNetwork.IpNetwork, ip: NetAddress.IpAddress): boolean => {
  if (NetAddress.familyOf(network.address) === NetAddress.familyOf(ip)) return IpNetwork.contains(network, ip)
  // An IPv4 address against an IPv6 network: as the IPv4-mapped address (proxy-addr does the same).
  return NetAddress.isIpv4Address(ip) && IpNetwork.contains(network, NetAddress.toIpv4Mapped(ip))
}

// X-Forwarded-For's entries, rightmost first; empty entries are skipped (as proxy-addr does).
const forwardedEntries = (header: string | undefined): Array<string> =>
  header === undefined
    ? []
    : header
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== "")
        .reverse()

/**
 * The client address of a request: `peer` is the socket's remote address (undefined when there is
 * none), `forwardedFor` the raw `X-Forwarded-For` header. Canonical, or `undefined` without a
 * peer. An unparseable peer (never from a socket) is returned as it is.
 */
export const resolve = (options: {
  readonly peer: string | undefined
  readonly forwardedFor: string | undefined
  readonly trust: TrustProxy
}): string | undefined => {
  const { peer, trust } = options
  if (peer === undefined) return undefined
  const peerIp = parseAddress(peer)
  if (peerIp === undefined) return peer
  if (trust._tag === "None") return NetAddress.formatIp(peerIp)
  const trusted = (ip: NetAddress.IpAddress, index: number) =>
    trust._tag === "Hops" ? index < trust.hops : trust.networks.some((network) => inNetwork(network, ip))
  const hops = forwardedEntries(options.forwardedFor)
  let client = peerIp
  for (let index = 0; index < hops.length && trusted(client, index); index++) {
    const next = parseAddress(hops[index]!)
    // A trusted proxy that forwarded something other than an address: it is the last we can vouch for.
    if (next === undefined) break
    client = next
  }
  return NetAddress.formatIp(client)
}

/**
 * The client address a platform established outside the request, which headers cannot change:
 * API Gateway's `requestContext.http.sourceIp` on Lambda. When set, `ofRequest` returns it.
 */
export const PlatformClientAddress = Context.Reference<string | undefined>(
  "@securebase/http/server/PlatformClientAddress",
  { defaultValue: () => undefined }
)

/** The client address of the current request (`"unknown"` without a peer or a platform address). */
export const ofRequest = (request: HttpServerRequest.HttpServerRequest, trust: TrustProxy) =>
  Effect.gen(function* () {
    const platform = yield* PlatformClientAddress
    if (platform !== undefined) return canonical(platform) ?? platform
    return (
      resolve({
        peer: Option.getOrUndefined(request.remoteAddress),
        forwardedFor: request.headers["x-forwarded-for"],
        trust
      }) ?? "unknown"
    )
  })
