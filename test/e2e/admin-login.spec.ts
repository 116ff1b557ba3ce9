import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gatewayEnv, parseConfig } from '@chatgate/config';
import { startGateway } from '@chatgate/gateway';
import { jsonOf, testEnv } from '@chatgate/testing';
import { forgetAdminFailures, startStack, type Stack } from '../support/stack.js';

/**
 * The admin password (issue 12, item 13): weak and placeholder passwords stop the gateway at start;
 * guessing is slowed per client (an IPv6 /64 is one client) with counts every replica shares (Redis);
 * X-Forwarded-For counts only from a trusted proxy; without Redis admin logins fail closed while the
 * client API keeps working.
 */
const PASSWORD = 'admin-password-for-login-tests-8b3';
const GATEWAY_MAIN = fileURLToPath(new URL('../../services/gateway/dist/main.js', import.meta.url));
/** The failure counts outlive a run (ten minutes): each run guesses from networks of its own. */
const net = () => `2001:db8:${randomInt(0x10000).toString(16)}:${randomInt(0x10000).toString(16)}`;

function runGateway(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GATEWAY_MAIN], { env: testEnv({ LOG_LEVEL: 'info', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('admin logins', () => {
  let stack: Stack;
  const admin = (gatewayUrl: string, password: string, from: string) =>
    fetch(`${gatewayUrl}/admin/v1/tenants`, { headers: { authorization: `Bearer ${password}`, 'x-forwarded-for': from } });

  beforeAll(async () => {
    stack = await startStack({ replicas: 2, gateway: { ADMIN_PASSWORD: PASSWORD, TRUSTED_PROXIES: '127.0.0.1,::1' } });
  }, 60_000);
  afterAll(() => stack?.close());

  it.each(['CHANGE_ME', 'password', 'dev-admin', 'short-pw-1'])('refuses to start with the admin password %s, naming the rule and not the value', async (weak) => {
    const { code, output } = await runGateway({ ADMIN_PASSWORD: weak });
    expect(code).toBe(1);
    expect(output).toMatch(/^chatgate-gateway: invalid configuration: ADMIN_PASSWORD: .*openssl rand -base64 24/);
    expect(output).not.toContain(weak);
  });

  it('counts guesses per /64 across addresses and across gateway replicas, and refuses even the right password meanwhile', async () => {
    const network = net();
    const [one, two] = stack.gateways.map((g) => g.url);
    for (let i = 1; i <= 3; i++) expect((await admin(one, `guess-${i}`, `${network}::${i}`)).status).toBe(401);
    for (let i = 4; i <= 6; i++) expect((await admin(two, `guess-${i}`, `${network}:${i}::1`)).status).toBe(401);
    for (const gateway of [one, two]) {
      const res = await admin(gateway, PASSWORD, `${network}:ffff:ffff:ffff:ffff`);
      expect(res.status).toBe(429);
      expect((await jsonOf(res)).error.code).toBe('too_many_failed_logins');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The next /64 and an IPv4 client are other clients.
    expect((await admin(one, PASSWORD, `${net()}::1`)).status).toBe(200);
    expect((await admin(two, PASSWORD, `198.51.100.${randomInt(1, 255)}`)).status).toBe(200);
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    // This gateway trusts no proxy: every guess comes from 127.0.0.1, whatever the header says.
    const untrusting = await startGateway(parseConfig(gatewayEnv, testEnv({ ADMIN_PASSWORD: PASSWORD })));
    try {
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) statuses.push((await admin(untrusting.url, `guess-${i}`, `${net()}::1`)).status);
      const res = await admin(untrusting.url, PASSWORD, `${net()}::1`);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
      expect(res.status).toBe(429);
    } finally {
      await untrusting.close();
      // 127.0.0.1 must wait now: the other tests here log in from it.
      await forgetAdminFailures();
    }
  });

  it('refuses admin logins with 503 while Redis is unreachable, and the client API keeps working', async () => {
    const blind = await startGateway(parseConfig(gatewayEnv, testEnv({ ADMIN_PASSWORD: PASSWORD, REDIS_URL: 'redis://127.0.0.1:1' })));
    try {
      const res = await admin(blind.url, PASSWORD, '127.0.0.1');
      expect(res.status).toBe(503);
      expect((await jsonOf(res)).error).toMatchObject({ code: 'admin_login_unavailable', type: 'server_error' });
      const account = stack.sim.issueAccount();
      const chat = await stack.client(account.accessToken, blind.url).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'still here' }] });
      expect(chat.choices[0].message.content).toContain('still here');
      expect((await fetch(`${blind.url}/health/ready`)).status).toBe(200);
    } finally {
      await blind.close();
    }
  });
});
