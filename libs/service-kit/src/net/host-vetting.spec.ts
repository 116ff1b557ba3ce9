import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request } from 'undici';
import { parseAllowHosts } from './allow-hosts.js';
import { isAddressRefused, vetUrlHost, vetLiteralHost, vettingLookup } from './host-vetting.js';

const none = { allowHosts: new Set<string>() };
const resolvingTo = (...addresses: string[]) => async () => addresses;

describe('host vetting', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data', /metadata/],
    ['http://127.0.0.1:8080/v1', /loopback/],
    ['http://[::1]:8080/v1', /loopback/],
    ['http://10.1.2.3/v1', /private/],
    ['http://localhost:9/v1', /loopback/],
    ['http://[::ffff:169.254.169.254]/v1', /metadata/],
  ])('refuses %s as it stands', async (url, reason) => {
    const err = await vetUrlHost(new URL(url), none).catch((e: unknown) => e);
    expect(isAddressRefused(err)).toBe(true);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
  });

  it('resolves a name and refuses it when any address is private', async () => {
    await expect(vetUrlHost(new URL('https://api.example.test/v1'), { ...none, resolve: resolvingTo('93.184.216.34', '10.0.0.5') })).rejects.toMatchObject({ message: expect.stringMatching(/private/) });
    await expect(vetUrlHost(new URL('https://api.example.test/v1'), { ...none, resolve: resolvingTo('93.184.216.34') })).resolves.toBeUndefined();
    await expect(vetUrlHost(new URL('https://nowhere.test/v1'), { ...none, resolve: async () => [] })).rejects.toMatchObject({ message: expect.stringMatching(/could not be resolved/) });
  });

  it('lets exactly the allow-listed host:port through', async () => {
    const vetting = { allowHosts: parseAllowHosts('127.0.0.1:8080, models.internal:443', 'PLATFORM_ALLOW_HOSTS') };
    expect(vetLiteralHost(new URL('http://127.0.0.1:8080/v1'), vetting)).toBe('allowed');
    expect(vetLiteralHost(new URL('https://models.internal/v1'), vetting)).toBe('allowed');
    expect(() => vetLiteralHost(new URL('http://127.0.0.1:8081/v1'), vetting)).toThrow(/loopback/);
    expect(() => parseAllowHosts('10.0.0.1', 'PLATFORM_ALLOW_HOSTS')).toThrow(/^PLATFORM_ALLOW_HOSTS: "10.0.0.1" must be exactly host:port/);
  });
});

describe('vettingLookup on a real connection', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('internal secret'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('never connects to a name that resolves to a private address (the socket dials what was vetted)', async () => {
    const agent = new Agent({ connect: { lookup: vettingLookup(resolvingTo('127.0.0.1')) } });
    const err = await request(`http://rebinding.test:${port}/`, { dispatcher: agent }).catch((e: unknown) => e);
    expect(isAddressRefused(err) || isAddressRefused((err as { cause?: unknown }).cause)).toBe(true);
    await agent.close();
  });
});
