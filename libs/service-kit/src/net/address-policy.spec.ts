import { describe, expect, it } from '@jest/globals';
import { classifyAddress, isAddressAllowed, type RefusedCategory } from './address-policy.js';

const refused: Array<[string, RefusedCategory]> = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'shared'],
  ['100.100.100.200', 'shared'], // Alibaba metadata sits in CGNAT space
  ['100.127.255.255', 'shared'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'metadata'],
  ['169.254.0.1', 'link_local'],
  ['169.254.170.2', 'link_local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.192', 'reserved'], // Oracle Cloud metadata
  ['192.0.2.10', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmark'],
  ['198.19.255.255', 'benchmark'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'unique_local'],
  ['fd12:3456:789a::1', 'unique_local'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link_local'],
  ['fe80::1%eth0', 'link_local'],
  ['febf:ffff::1', 'link_local'],
  ['fec0::1', 'reserved'],
  ['ff02::1', 'multicast'],
  ['100::1', 'reserved'],
  ['2001:db8::1', 'documentation'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
  ['3fff::1', 'documentation'],
  ['::2', 'reserved'], // deprecated IPv4-compatible / outside 2000::/3
  ['4000::1', 'reserved'],
  // IPv4 embedded in IPv6
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:10.1.2.3', 'private'],
  ['0:0:0:0:0:ffff:192.168.0.1', 'private'],
  ['::ffff:0:127.0.0.1', 'loopback'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
  ['2002:c0a8:101::', 'private'], // 6to4 of 192.168.1.1
  // not addresses
  ['', 'invalid'],
  ['example.com', 'invalid'],
  ['256.1.1.1', 'invalid'],
  ['1.2.3', 'invalid'],
];

const allowed = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '9.255.255.255',
  '11.0.0.0',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '2a00:1450:4001:81c::200e',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('classifyAddress', () => {
  it.each(refused)('refuses %s as %s', (address, category) => {
    const verdict = classifyAddress(address);
    expect(verdict.allowed).toBe(false);
    if (verdict.allowed) return;
    expect(verdict.category).toBe(category);
    expect(verdict.reason.length).toBeGreaterThan(0);
    expect(isAddressAllowed(address)).toBe(false);
  });

  it.each(allowed)('allows %s', (address) => {
    expect(classifyAddress(address)).toMatchObject({ allowed: true });
    expect(isAddressAllowed(address)).toBe(true);
  });

  it('reports the family and names the embedding form in reasons', () => {
    expect(classifyAddress('8.8.8.8')).toEqual({ allowed: true, address: '8.8.8.8', family: 4 });
    expect(classifyAddress('2606:4700:4700::1111')).toMatchObject({ allowed: true, family: 6 });
    const mapped = classifyAddress('::ffff:127.0.0.1');
    expect(mapped.allowed === false && mapped.reason).toMatch(/^IPv4-mapped loopback/);
  });
});
