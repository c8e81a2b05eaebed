/**
 * The unit a per-address limit counts: an IPv4 address, or the /64 network of an IPv6 address.
 *
 * One IPv6 host usually holds a whole /64 (SLAAC, privacy addresses) and can pick a fresh address
 * per request; counting per /128 would give it 2^64 fresh budgets. An IPv4-mapped IPv6 address
 * counts as its IPv4 address. Anything that is not an IP address (the "unknown" of a request
 * without a peer) is its own bucket.
 */
import { Result } from "effect"
import { IpNetwork, NetAddress } from "effect/net"

/** The bucket of `address` (its canonical IPv4 form, or `<prefix>::/64` for IPv6). */
export const of = (address: string): string => {
  const parsed = NetAddress.ipFromString(address)
  if (Result.isFailure(parsed)) return address
  const ip = NetAddress.toCanonical(parsed.success)
  return NetAddress.isIpv4Address(ip)
    ? NetAddress.formatIp(ip)
    : IpNetwork.format(IpNetwork.fromAddressUnsafe(ip, 64))
}
