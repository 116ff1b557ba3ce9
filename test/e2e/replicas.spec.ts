import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import OpenAI from 'openai';
import pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import type { ServiceName } from '@chatgate/contracts';
import { LimitWindow } from '@chatgate/usage';
import { waitFor, type LooseJson } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-for-replica-tests-3e8';
const POOL_CODE = 'pool-code-for-replica-tests-3e8';
/**
 * How long a silent worker is trusted (heartbeats come every second): three missed heartbeats, so 16
 * concurrent chats on a loaded two-core machine are not taken for a dead worker.
 */
const IDLE_MS = 3000;
/** Services that talk to the upstream get an AUTH_KEY per replica: the simulator counts each, so it tells which replica did the work. */
const UPSTREAM_FACING: ServiceName[] = ['auth', 'conversation', 'voice'];
const replicaKey = (service: ServiceName, replica: number) => `${service}-${replica}`;

/**
 * The stack as a deployment runs it: two of every service (conversation workers as processes of their
 * own, so one can be killed), all started at once on one database, Redis and NATS.
 */
describe('two replicas of every service', () => {
  let stack: Stack;
  let db: pg.Client;

  /** Upstream requests per replica of a service since the simulator's stats were reset. */
  const servedBy = (service: ServiceName) => [0, 1].map((replica) => stack.sim.stats().authKeysSeen[replicaKey(service, replica)] ?? 0);
  const gatewayUrl = (replica: number) => stack.gateways[replica].url;
  const chat = (apiKey: string, replica: number, content = 'hello') =>
    stack.client(apiKey, gatewayUrl(replica)).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
  const admin = async (method: string, path: string, body: unknown, replica = 0): Promise<LooseJson> => {
    const res = await fetch(`${gatewayUrl(replica)}${path}`, { method, headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.ok).toBe(true);
    return res.json();
  };
  const statusOf = (request: Promise<unknown>) =>
    request.then(
      () => 200,
      (err: unknown) => (err instanceof OpenAI.APIError ? `${err.status} ${String((err.error as { code?: string })?.code)}` : String(err)),
    );

  beforeAll(async () => {
    stack = await startStack({
      replicas: 2,
      allServices: true,
      workersAsProcesses: true,
      auth: { AUTHORIZATION: POOL_CODE },
      gateway: { ADMIN_PASSWORD: PASSWORD, STREAM_IDLE_TIMEOUT_MS: IDLE_MS },
      replicaEnv: (service, replica) => (UPSTREAM_FACING.includes(service) ? { AUTH_KEY: replicaKey(service, replica) } : {}),
    });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    for (let i = 0; i < 2; i++) await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount({ plan: 'plus' }).accessToken);
  }, 90_000);
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  it('started two of each, and every replica is live and ready', async () => {
    const urls = [...stack.gateways, ...stack.auths, ...stack.voices(), ...stack.usages(), ...stack.workerProcesses].map((r) => r.url);
    expect(urls).toHaveLength(10);
    for (const url of urls) {
      expect([url, (await fetch(`${url}/health/live`)).status]).toEqual([url, 200]);
      expect([url, (await fetch(`${url}/health/ready`)).status]).toEqual([url, 200]);
    }
  });

  it('serves chat through each gateway, and shares the jobs between both conversation workers', async () => {
    stack.sim.resetStats();
    const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => chat(POOL_CODE, i % 2, `hello ${i}`)));
    expect(replies.every((r) => r.choices[0].message.content)).toBe(true);
    expect(stack.sim.stats().conversationRequests).toBe(16);
    const [first, second] = servedBy('conversation');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
  });

  it('resolves credentials on both auth replicas', async () => {
    stack.sim.resetStats();
    // A refresh token as the Bearer is exchanged once, by the auth replica that resolves it.
    const tokens = Array.from({ length: 16 }, () => stack.sim.issueAccount().refreshToken);
    const replies = await Promise.all(tokens.map((token, i) => chat(token, i % 2)));
    expect(replies.every((r) => r.choices[0].message.content)).toBe(true);
    expect(stack.sim.stats().refreshes).toBe(16);
    const [first, second] = servedBy('auth');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
  });

  it('speaks through both voice replicas', async () => {
    stack.sim.resetStats();
    const clips = await Promise.all(
      Array.from({ length: 12 }, (_, i) => stack.client(POOL_CODE, gatewayUrl(i % 2)).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: `Clip number ${i}.` }).then((res) => res.arrayBuffer())),
    );
    expect(clips.every((clip) => clip.byteLength > 0)).toBe(true);
    const [first, second] = servedBy('voice');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
  });

  it('holds a limit exactly across both usage replicas, which both take slots, and stores each usage event once', async () => {
    const user = await admin('POST', '/admin/v1/users', { name: 'limited', limits: [{ model_name: 'gpt-4o', every_minute: 60, limit_count: 6 }] }, 0);
    const { key } = (await admin('POST', '/admin/v1/keys', { user: 'limited' }, 1)) as { key: string };
    const takes = jest.spyOn(LimitWindow.prototype, 'take');
    try {
      const statuses = await Promise.all(Array.from({ length: 24 }, (_, i) => statusOf(chat(key, i % 2))));
      expect(statuses.filter((s) => s === 200)).toHaveLength(6);
      expect(statuses.filter((s) => s === '429 usage_limit_exceeded')).toHaveLength(18);
      const replicas = new Set(takes.mock.contexts.map((window) => stack.usages().findIndex((u) => u.app.get(LimitWindow) === window)));
      expect([...replicas].sort()).toEqual([0, 1]);
    } finally {
      takes.mockRestore();
    }
    // Both replicas consume the one durable stream: each event is stored by one of them, once.
    const stored = () => db.query<{ n: number }>('SELECT count(*)::int AS n FROM usage.usage_events WHERE user_id = $1', [user.id]).then((r) => r.rows[0].n);
    await waitFor(async () => (await stored()) === 6, 'the six usage events to be stored', 10_000, 100);
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored()).toBe(6);
  });

  it('sees an admin change made through one gateway at once on the other', async () => {
    const user = await admin('POST', '/admin/v1/users', { name: 'switched' }, 0);
    const { key } = (await admin('POST', '/admin/v1/keys', { user: 'switched' }, 0)) as { key: string };
    // Both gateways have the principal cached.
    expect(await statusOf(chat(key, 0))).toBe(200);
    expect(await statusOf(chat(key, 1))).toBe(200);

    await admin('PATCH', `/admin/v1/users/${user.id}`, { status: 'disabled' }, 0);
    const disabledAt = Date.now();
    await waitFor(async () => (await statusOf(chat(key, 1))) === '401 user_disabled', 'the other gateway to refuse the disabled user', 1000, 20);
    expect(Date.now() - disabledAt).toBeLessThan(1000);

    await admin('PATCH', `/admin/v1/users/${user.id}`, { status: 'active' }, 1);
    await waitFor(async () => (await statusOf(chat(key, 0))) === 200, 'the first gateway to serve the user again', 1000, 20);
  });

  it('keeps serving when a conversation worker is killed mid-stream: its streams end with an error, the other worker carries on', async () => {
    const long = 'a long answer [[sim words=300 delay=20]]';
    /** Opens a stream, waits for its first chunk, and says which worker took it. */
    const open = async (gateway: number) => {
      const before = servedBy('conversation');
      const stream = await stack.client(POOL_CODE, gatewayUrl(gateway)).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: long }], stream: true });
      const chunks = stream[Symbol.asyncIterator]();
      const first = await chunks.next();
      expect(first.done).toBe(false);
      const after = servedBy('conversation');
      const worker = after[0] > before[0] ? 0 : 1;
      expect(after[worker]).toBe(before[worker] + 1);
      const finished = (async () => {
        let finish: string | null = null;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) finish = next.value.choices[0]?.finish_reason ?? finish;
        return finish;
      })();
      // Settled later; never an unhandled rejection meanwhile.
      finished.catch(() => undefined);
      return { worker, finished };
    };

    stack.sim.resetStats();
    const victimStream = await open(0);
    const victim = victimStream.worker;
    const survivor = 1 - victim;
    const onVictim = [victimStream];
    let survivorStream: Awaited<ReturnType<typeof open>> | undefined;
    for (let tries = 0; !survivorStream && tries < 20; tries++) {
      const stream = await open(1);
      if (stream.worker === survivor) survivorStream = stream;
      else onVictim.push(stream);
    }
    expect(survivorStream).toBeDefined();

    stack.workerProcesses[victim].kill();
    const killedAt = Date.now();
    for (const stream of onVictim) {
      const err = await stream.finished.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(String((err as Error).message)).toMatch(/stopped answering/);
    }
    expect(Date.now() - killedAt).toBeLessThan(IDLE_MS + 2500);
    expect(await survivorStream!.finished).toBe('stop');

    const victimServed = servedBy('conversation')[victim];
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => chat(POOL_CODE, i % 2, `after the kill ${i}`)));
    expect(replies.every((r) => r.choices[0].message.content)).toBe(true);
    expect(servedBy('conversation')[victim]).toBe(victimServed);
  });
});
