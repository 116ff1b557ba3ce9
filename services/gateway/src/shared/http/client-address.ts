import ipaddr from 'ipaddr.js';

/**
 * The unit a per-client limit counts: an IPv4 address as it is, an IPv6 address by its /64 (one
 * customer's network: a host picks any address in it at will, so counting single addresses would let
 * it rotate past every limit), an IPv4-mapped IPv6 address as its IPv4 address. `ip` is the client
 * address Fastify settled on (the connection's, or X-Forwarded-For's when it came through a proxy in
 * TRUSTED_PROXIES).
 */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${ipaddr.fromByteArray([...parts.flatMap((p) => [p >> 8, p & 0xff]), ...new Array(8).fill(0)]).toString()}/64`;
}
