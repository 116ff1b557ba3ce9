import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '@chatgate/chatgpt-sim';
import { testEnv, waitFor } from '@chatgate/testing';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const main = (service: string) => fileURLToPath(new URL(`../../services/${service}/dist/main.js`, import.meta.url));

interface Running {
  child: ChildProcess;
  output: string;
}

function run(service: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [main(service)], { env: testEnv({ LOG_LEVEL: 'trace', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  const running: Running = { child, output: '' };
  child.stdout!.on('data', (d) => (running.output += d));
  child.stderr!.on('data', (d) => (running.output += d));
  return running;
}

/** The services as real processes with every log level on: what they print is what an operator's log store gets. */
describe('logs', () => {
  let sim: Simulator;
  const procs: Running[] = [];
  let gatewayUrl = '';

  beforeAll(async () => {
    sim = await startSimulator();
    procs.push(run('auth', { CHATGPT_BASE_URL: sim.url, CHATGPT_AUTH_URL: sim.url, CHATGPT_AUTH0_URL: sim.url, CODEX_AUTH_URL: sim.url, CHATGPT_JWKS_URL: sim.jwksUrl }), run('conversation', { CHATGPT_BASE_URL: sim.url, CODEX_BASE_URL: sim.codex.baseUrl }));
    await waitFor(() => procs.every((p) => /chatgate-(auth|conversation) ready/.test(p.output)), 'auth and conversation to start', 60_000);
    const gateway = run('gateway', {});
    procs.push(gateway);
    const ready = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"chatgate-gateway ready"/.exec(gateway.output), 'the gateway to start', 60_000);
    gatewayUrl = ready![1];
    // Three processes started one after another: on a loaded machine each may take most of a minute.
  }, 150_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => new Promise((resolve) => (p.child.exitCode !== null ? resolve(null) : (p.child.once('exit', resolve), p.child.kill('SIGTERM'))))));
    await sim.close();
  });

  it('are JSON lines that never contain a token', async () => {
    const account = sim.issueAccount();
    const client = new OpenAI({ apiKey: account.accessToken, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }], stream: true });
    for await (const _ of stream) void _;
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x [[sim fail=401]]' }] })).rejects.toMatchObject({ status: 401 });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x [[sim fail=cut after=1 delay=5 words=20]]' }], stream: true }).then(async (s) => {
      for await (const _ of s) void _;
    })).rejects.toBeInstanceOf(OpenAI.APIError);
    const workspace = new OpenAI({ apiKey: `${account.accessToken},ws-123`, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
    await workspace.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    // A refresh token as the Bearer is exchanged by auth (and the exchange is logged, without it).
    const withRefresh = new OpenAI({ apiKey: account.refreshToken, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
    await withRefresh.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    const stranger = new OpenAI({ apiKey: 'sk-stranger-0123456789abcdef', baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
    await expect(stranger.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });

    // The web protocol relay: a stream, an account answer, a stream cut midway, an upstream 401.
    const web = (prompt: string) =>
      fetch(`${gatewayUrl}/backend-api/conversation`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'next', model: 'gpt-4o', parent_message_id: 'client-created-root', messages: [{ id: 'm1', author: { role: 'user' }, content: { content_type: 'text', parts: [prompt] } }] }),
      });
    expect((await (await web('hello')).text()).length).toBeGreaterThan(0);
    expect((await fetch(`${gatewayUrl}/backend-api/me`, { headers: { authorization: `Bearer ${account.accessToken}` } })).status).toBe(200);
    await expect(web('x [[sim fail=cut after=3 delay=20 words=20]]').then((r) => r.text())).rejects.toThrow();
    expect((await web('x [[sim fail=401]]')).status).toBe(401);

    // Access lines are written as each answer ends: wait for the last request's.
    await waitFor(() => procs.map((p) => p.output).join('\n').split('"route":"/backend-api/conversation"').length - 1 >= 3, "the last requests' access lines", 10_000, 50);
    const output = procs.map((p) => p.output).join('\n');
    const lines = output.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const signature = account.accessToken.split('.')[2];
    expect(output).not.toContain(signature);
    expect(output).not.toContain(account.accessToken.split('.')[1]);
    expect(output).not.toContain(account.refreshToken);

    // One access line per request at the gateway: method, route template, status, duration, tenant, user,
    // model, upstream kind, under the request's id; never a header, URL, query or body.
    const access = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.service === 'gateway' && l.component === 'access');
    const chats = access.filter((l) => l.route === '/v1/chat/completions');
    expect(chats).toHaveLength(7);
    expect(chats.filter((l) => l.status === 200)).toHaveLength(4);
    expect(chats.filter((l) => l.status === 401).length).toBeGreaterThanOrEqual(1);
    for (const line of chats) {
      expect(line).toMatchObject({ msg: 'request', method: 'POST', requestId: expect.any(String), ms: expect.any(Number) });
      expect(Object.keys(line).filter((k) => !['level', 'time', 'service', 'component', 'msg', 'requestId', 'method', 'route', 'status', 'ms', 'aborted', 'tenant', 'user', 'model', 'upstream', 'jobId'].includes(k))).toEqual([]);
    }
    expect(chats.find((l) => l.status === 200)).toMatchObject({ tenant: expect.any(String), model: 'gpt-4o', upstream: 'chatgpt', jobId: expect.any(String) });
    expect(access.filter((l) => l.route === '/backend-api/conversation')).toHaveLength(3);
    // Probes are not logged.
    expect(access.filter((l) => String(l.route).startsWith('/health'))).toEqual([]);
  });

  it("blank every secret field a service's logger is handed, at any depth, at trace level", async () => {
    // A service process's own logger (service-kit's createLogger, as every main.ts builds it), handed each
    // field a careless log call could carry: snake_case token fields, cookies, set-cookie, passwords, API
    // keys, nested in request and upstream objects and arrays.
    const secret = (name: string) => `s3cr3t-${name}-${'x'.repeat(12)}`;
    const fields = ['access_token', 'refresh_token', 'id_token', 'session_token', 'accessToken', 'password', 'api_key', 'apiKey', 'client_secret', 'cookie', 'set-cookie', 'authorization', 'x-api-key', 'authkey', 'token'];
    const script = `
      import { createLogger } from '@chatgate/service-kit';
      const logger = createLogger('logs-test', 'trace');
      const fields = ${JSON.stringify(fields)};
      const secret = (name) => 's3cr3t-' + name + '-' + 'x'.repeat(12);
      for (const field of fields) {
        logger.trace({ [field]: secret(field) }, 'top level ' + field);
        logger.trace({ req: { headers: { [field.toUpperCase()]: secret(field) } } }, 'in headers ' + field);
        logger.debug({ upstream: { response: { body: { tokens: [{ [field]: secret(field) }] } } } }, 'deep ' + field);
        logger.error({ err: Object.assign(new Error('failed ' + field), { config: { [field]: secret(field) } }) }, 'error ' + field);
      }
      logger.info({ usage: { tokens: 1234 }, model: 'gpt-4o' }, 'counts stay');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await new Promise((resolve) => child.once('exit', resolve));
    const lines = output.split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(fields.length * 4 + 1);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).not.toContain('s3cr3t-');
    for (const field of fields) expect(output).not.toContain(secret(field));
    expect(output).toContain('"tokens":1234');
    expect(output).toContain('failed password');
  });
});
