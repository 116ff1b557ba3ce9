// Which IP addresses a URL a client or tenant admin chose may reach: user-supplied image and file URLs
// (conversation uploads) and API keys' base URLs (the platform upstream). No private, loopback, link-local or
// metadata addresses. Deny by default for IPv6 outside global unicast; IPv4 addresses embedded in IPv6
// (IPv4-mapped, NAT64, 6to4) are judged by their IPv4 part.
import { BlockList, isIP } from 'node:net';

export type RefusedCategory =
  | 'invalid'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link_local'
  | 'metadata'
  | 'unique_local'
  | 'multicast'
  | 'broadcast'
  | 'benchmark'
  | 'documentation'
  | 'reserved';

export type AddressVerdict =
  | { allowed: true; address: string; family: 4 | 6 }
  | { allowed: false; address: string; category: RefusedCategory; reason: string };

interface Range {
  net: string;
  prefix: number;
  category: RefusedCategory;
  reason: string;
}

// Order matters: the first matching range names the reason (e.g. metadata before link-local).
const V4_RANGES: Range[] = [
  { net: '169.254.169.254', prefix: 32, category: 'metadata', reason: 'cloud metadata address' },
  { net: '255.255.255.255', prefix: 32, category: 'broadcast', reason: 'broadcast address' },
  { net: '0.0.0.0', prefix: 8, category: 'unspecified', reason: '"this network" address (0.0.0.0/8)' },
  { net: '10.0.0.0', prefix: 8, category: 'private', reason: 'private address (10.0.0.0/8)' },
  { net: '100.64.0.0', prefix: 10, category: 'shared', reason: 'shared/carrier-grade NAT address (100.64.0.0/10)' },
  { net: '127.0.0.0', prefix: 8, category: 'loopback', reason: 'loopback address (127.0.0.0/8)' },
  { net: '169.254.0.0', prefix: 16, category: 'link_local', reason: 'link-local address (169.254.0.0/16)' },
  { net: '172.16.0.0', prefix: 12, category: 'private', reason: 'private address (172.16.0.0/12)' },
  { net: '192.0.0.0', prefix: 24, category: 'reserved', reason: 'IETF protocol assignment (192.0.0.0/24)' },
  { net: '192.0.2.0', prefix: 24, category: 'documentation', reason: 'documentation address (192.0.2.0/24)' },
  { net: '192.88.99.0', prefix: 24, category: 'reserved', reason: 'deprecated 6to4 relay address (192.88.99.0/24)' },
  { net: '192.168.0.0', prefix: 16, category: 'private', reason: 'private address (192.168.0.0/16)' },
  { net: '198.18.0.0', prefix: 15, category: 'benchmark', reason: 'benchmarking address (198.18.0.0/15)' },
  { net: '198.51.100.0', prefix: 24, category: 'documentation', reason: 'documentation address (198.51.100.0/24)' },
  { net: '203.0.113.0', prefix: 24, category: 'documentation', reason: 'documentation address (203.0.113.0/24)' },
  { net: '224.0.0.0', prefix: 4, category: 'multicast', reason: 'multicast address (224.0.0.0/4)' },
  { net: '240.0.0.0', prefix: 4, category: 'reserved', reason: 'reserved address (240.0.0.0/4)' },
];

// Checked after the embedded-IPv4 forms are unwrapped. Anything outside 2000::/3 is refused below.
const V6_RANGES: Range[] = [
  { net: '::', prefix: 128, category: 'unspecified', reason: 'unspecified address (::)' },
  { net: '::1', prefix: 128, category: 'loopback', reason: 'loopback address (::1)' },
  { net: 'fd00:ec2::254', prefix: 128, category: 'metadata', reason: 'cloud metadata address' },
  { net: 'fc00::', prefix: 7, category: 'unique_local', reason: 'unique local address (fc00::/7)' },
  { net: 'fe80::', prefix: 10, category: 'link_local', reason: 'link-local address (fe80::/10)' },
  { net: 'fec0::', prefix: 10, category: 'reserved', reason: 'deprecated site-local address (fec0::/10)' },
  { net: 'ff00::', prefix: 8, category: 'multicast', reason: 'multicast address (ff00::/8)' },
  { net: '100::', prefix: 64, category: 'reserved', reason: 'discard-only address (100::/64)' },
  { net: '2001::', prefix: 23, category: 'reserved', reason: 'IETF protocol assignment (2001::/23, incl. Teredo)' },
  { net: '2001:db8::', prefix: 32, category: 'documentation', reason: 'documentation address (2001:db8::/32)' },
  { net: '3fff::', prefix: 20, category: 'documentation', reason: 'documentation address (3fff::/20)' },
  { net: '5f00::', prefix: 16, category: 'reserved', reason: 'SRv6 SID address (5f00::/16)' },
];

function buildList(ranges: Range[], type: 'ipv4' | 'ipv6'): Array<{ list: BlockList; range: Range }> {
  return ranges.map((range) => {
    const list = new BlockList();
    list.addSubnet(range.net, range.prefix, type);
    return { list, range };
  });
}

const V4_LISTS = buildList(V4_RANGES, 'ipv4');
const V6_LISTS = buildList(V6_RANGES, 'ipv6');
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

/** Expands an IPv6 address (already validated by isIP) into 8 16-bit groups. */
function v6Groups(address: string): number[] {
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted IPv4 part (e.g. ::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  return [...headParts, ...Array<string>(missing).fill('0'), ...tailParts].map((g) => parseInt(g, 16));
}

function v4FromGroups(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** The IPv4 address carried inside an IPv6 one, for forms that route to that IPv4 address. */
function embeddedV4(groups: number[]): { v4: string; via: string } | null {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 5) && groups[5] === 0xffff) return { v4: v4FromGroups(groups[6], groups[7]), via: 'IPv4-mapped' };
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return { v4: v4FromGroups(groups[6], groups[7]), via: 'IPv4-translated' };
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return { v4: v4FromGroups(groups[6], groups[7]), via: 'NAT64' };
  // 2002:AABB:CCDD::/48 (6to4)
  if (groups[0] === 0x2002) return { v4: v4FromGroups(groups[1], groups[2]), via: '6to4' };
  return null;
}

function classifyV4(address: string, original: string, via?: string): AddressVerdict {
  for (const { list, range } of V4_LISTS) {
    if (list.check(address, 'ipv4')) {
      return { allowed: false, address: original, category: range.category, reason: via ? `${via} ${range.reason}` : range.reason };
    }
  }
  return { allowed: true, address: original, family: original === address ? 4 : 6 };
}

/**
 * Classifies one IP address (IPv4 or IPv6, optionally bracketed) as allowed for outbound fetching of
 * user-supplied URLs, or refused with a category and a human-readable reason.
 */
export function classifyAddress(input: string): AddressVerdict {
  const address = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const family = isIP(address);
  if (family === 4) return classifyV4(address, address);
  if (family !== 6) return { allowed: false, address: input, category: 'invalid', reason: 'not an IP address' };

  const groups = v6Groups(address);
  const embedded = embeddedV4(groups);
  if (embedded) return classifyV4(embedded.v4, address, embedded.via);

  const bare = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  for (const { list, range } of V6_LISTS) {
    if (list.check(bare, 'ipv6')) return { allowed: false, address, category: range.category, reason: range.reason };
  }
  if (!GLOBAL_UNICAST_V6.check(bare, 'ipv6')) {
    return { allowed: false, address, category: 'reserved', reason: 'reserved IPv6 address (outside 2000::/3)' };
  }
  return { allowed: true, address, family: 6 };
}

export function isAddressAllowed(address: string): boolean {
  return classifyAddress(address).allowed;
}
