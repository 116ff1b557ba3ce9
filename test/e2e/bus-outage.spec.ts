import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AccountsService } from '@chatgate/auth';
import type { RunningService } from '@chatgate/service-kit';
import { startNatsServer, waitFor, type LooseJson, type TestNatsServer } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';
import { connectStackDatabase } from '../support/stack-database.js';

const PASSWORD = 'admin-password-bus-outage-3f1c';
const POOL_CODE = 'pool-code-bus-outage-0123456789';
/** Short waits between reconnect tries, so the outage below spans far more than the library's default 10 tries. */
const RECONNECT = { NATS_RECONNECT_WAIT_MS: 100, NATS_RECONNECT_MAX_WAIT_MS: 400 };
/** Longer than 10 tries at the waits above (and than the 3 s restart the fault suite already survives). */
const OUTAGE_MS = 12_000;

interface Health {
  status: number;
  body: { ok: boolean; dependencies: Array<{ name: string; ok: boolean; error: string | null }> };
}

/**
 * NATS stopped for longer than the NestJS transport's default reconnect budget (10 tries): every
 * connection of every service keeps trying, every service's health says the bus is down meanwhile,
 * and once NATS is back everything works again without restarting a service: a credential nobody
 * has used yet (resolved by auth over the NestJS transport), admin calls, chat, and usage accounting.
 */
describe('a NATS outage of any length', () => {
  let nats: TestNatsServer;
  let stack: Stack;
  let db: pg.Client;

  const services = (): Array<[string, RunningService]> => [
    ['gateway', stack.gateway],
    ['auth', stack.auth],
    ['conversation', stack.workers[0]],
    ['voice', stack.voices()[0]],
    ['usage', stack.usages()[0]],
  ];
  const healthOf = async (service: RunningService, path = '/health'): Promise<Health> => {
    const res = await fetch(`${service.url}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Health['body'] };
  };
  const busOf = (health: Health) => health.body.dependencies.find((d) => d.name === 'nats')!;
  const admin = async (method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${PASSWORD}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const chat = (key: string, content: string) => stack.client(key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

  beforeAll(async () => {
    nats = await startNatsServer();
    stack = await startStack({ natsUrl: nats.url, env: RECONNECT, allServices: true, auth: { AUTHORIZATION: POOL_CODE }, gateway: { ADMIN_PASSWORD: PASSWORD } });
    let tenantId: string;
    ({ db, tenantId } = await connectStackDatabase(stack));
    await stack.auth.app.get(AccountsService).enter(tenantId, stack.sim.issueAccount().accessToken);
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await nats?.close();
  });

  it('reconnects every connection, says "bus down" meanwhile, and works again without a restart', async () => {
    expect((await chat(POOL_CODE, 'before')).choices[0].message.content).toBe('You said: before');
    for (const [, service] of services()) expect((await healthOf(service)).status).toBe(200);

    await nats.stop();
    const stoppedAt = Date.now();

    // Every service says the bus is down, naming the connections that are, readiness included.
    await waitFor(async () => (await Promise.all(services().map(([, s]) => healthOf(s)))).every((h) => h.status === 503 && /^bus down: /.test(busOf(h).error ?? '')), 'every service to report the bus down', 5000, 100);
    const gatewayDown = busOf(await healthOf(stack.gateway)).error!;
    for (const link of ['data', 'transport-server', 'transport-client:auth', 'transport-client:conversation']) expect(gatewayDown).toContain(link);
    expect(busOf(await healthOf(stack.auth)).error).toContain('transport-server');
    for (const [, service] of services()) expect((await healthOf(service, '/health/ready')).status).toBe(503);
    // Liveness never asks a dependency: nothing restarts the pods for an outage a restart cannot fix.
    for (const [, service] of services()) expect((await healthOf(service, '/health/live')).status).toBe(200);

    // Meanwhile a request fails at once with an envelope, never hangs.
    const during = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-cg-not-yet-known-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'during' }] }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(during.status).toBe(503);
    expect(((await during.json()) as LooseJson).error).toMatchObject({ type: 'server_error' });

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    // Far past the library default of 10 tries, every connection is still trying.
    for (const [name, service] of services()) {
      const tries = [...(busOf(await healthOf(service)).error ?? '').matchAll(/\((\d+) tries\)/g)].map((m) => Number(m[1]));
      expect({ name, tries: tries.length > 0 && Math.min(...tries) > 10 }).toEqual({ name, tries: true });
    }

    await nats.start();
    await waitFor(async () => (await Promise.all(services().map(([, s]) => healthOf(s)))).every((h) => h.status === 200), 'every service to be healthy again', 20_000, 200);

    // Admin calls (auth over the NestJS transport) and a credential never resolved before.
    const user = await admin('POST', '/admin/v1/users', { name: 'after-outage' });
    expect(user.status).toBe(201);
    const key = await admin('POST', '/admin/v1/keys', { user: 'after-outage' });
    expect(key.status).toBe(201);
    const fresh = ((await key.json()) as LooseJson).key as string;
    const { data: answer, response } = await stack.client(fresh).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after the outage' }] }).withResponse();
    expect(answer.choices[0].message.content).toBe('You said: after the outage');
    const requestId = response.headers.get('x-request-id');
    expect((await admin('GET', '/admin/v1/accounts')).status).toBe(200);
    // The models listing goes to a conversation worker over the transport too.
    expect((await stack.client(fresh).models.list()).data.length).toBeGreaterThan(0);

    // Usage still flows: the worker publishes to JetStream, the usage service's consumer stores it.
    const stored = await waitFor(async () => (await db.query('SELECT outcome FROM usage.usage_events WHERE request_id = $1', [requestId])).rows[0], 'the usage event after the outage', 15_000, 200);
    expect(stored).toEqual({ outcome: 'ok' });
  }, 120_000);
});
