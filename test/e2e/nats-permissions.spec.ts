import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ACCOUNT_LEASE, ADMIN_TENANTS_CREATE, inboxPrefixOf, natsServerAuthorization, SERVICE_NAMES, type ServiceName } from '@chatgate/contracts';
import { jsonOf, waitFor } from '@chatgate/testing';
import { startNatsServer, type TestNatsServer } from '../support/nats-server.js';
import { startStack, type Stack } from '../support/stack.js';
import { makeTlsMaterial } from '../support/tls-material.js';
import { newUsageStreamSuffix } from '../support/usage-stream.js';

/**
 * The bus grants authority only to whom the permissions name (issue 12, item 11): a NATS server of the
 * test's own, configured as deploy/nats is (one user per service, permissions from libs/contracts),
 * runs the whole stack; a connection with another service's credentials cannot send an admin request
 * or answer leases.
 */
const ADMIN_PASSWORD = 'admin-password-for-nats-tests-5a9';
const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, randomBytes(18).toString('base64url')])) as Record<ServiceName, string>;
const TEST_USER = { user: 'test-harness', password: randomBytes(18).toString('base64url') };
/** The bus runs on TLS too (NATS_TLS_CA), where openssl can make a CA; else in the clear, said by the test name. */
const tls = makeTlsMaterial();

describe('NATS permissions per service', () => {
  let nats: TestNatsServer;
  let stack: Stack;
  const opened: NatsConnection[] = [];
  const as = async (service: ServiceName) => {
    const nc = await connect({ servers: nats.url, user: service, pass: passwords[service], inboxPrefix: inboxPrefixOf(service), ...(tls ? { tls: { caFile: tls.caFile } } : {}) });
    opened.push(nc);
    return nc;
  };
  const adminCall = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, 'content-type': 'application/json', ...init.headers } });
  const packet = (subject: string, data: unknown) => JSON.stringify({ pattern: subject, data, id: randomBytes(8).toString('hex') });

  beforeAll(async () => {
    const usageStreamSuffix = newUsageStreamSuffix();
    const tlsBlock = tls ? `tls {\n  cert_file: ${JSON.stringify(tls.certFile)}\n  key_file: ${JSON.stringify(tls.keyFile)}\n}\n` : '';
    nats = await startNatsServer(
      tlsBlock + natsServerAuthorization({ passwords: Object.fromEntries(SERVICE_NAMES.map((s) => [s, { literal: passwords[s] }])) as never, usageStreamSuffix, extraUsers: [TEST_USER] }),
    );
    stack = await startStack({
      allServices: true,
      usageStreamSuffix,
      natsAdmin: { NATS_URL: nats.url, NATS_USER: TEST_USER.user, NATS_PASSWORD: TEST_USER.password, ...(tls ? { NATS_TLS_CA: tls.caFile } : {}) },
      gateway: { ADMIN_PASSWORD },
      replicaEnv: (service) => ({ NATS_URL: nats.url, NATS_USER: service, NATS_PASSWORD: passwords[service], ...(tls ? { NATS_TLS_CA: tls.caFile } : {}) }),
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(opened.map((nc) => nc.close()));
    await stack?.close();
    await nats?.close();
  });

  it(`runs the whole stack on per-service credentials${tls ? ' over TLS' : ' (openssl missing: without TLS)'} without a single permission violation`, async () => {
    const account = stack.sim.issueAccount();
    const client = stack.client(account.accessToken);
    const answer = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello over an authenticated bus' }] });
    expect(answer.choices[0].message.content).toContain('hello over an authenticated bus');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'streamed' }] })) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toContain('streamed');
    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Spoken over the bus.', response_format: 'aac' });
    expect((await speech.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect((await client.models.list()).data.length).toBeGreaterThan(0);

    // Admin requests (gateway → auth), the pool (worker → auth leases), usage (worker → JetStream → usage).
    expect((await adminCall('/admin/v1/tenants', { method: 'POST', body: JSON.stringify({ slug: 'nats-acme', name: 'Acme' }) })).status).toBe(201);
    const imported = await adminCall('/admin/v1/accounts/import', { method: 'POST', body: JSON.stringify({ text: stack.sim.issueAccount().refreshToken }) });
    expect(imported.status).toBe(200);
    const user = await jsonOf(await adminCall('/admin/v1/users', { method: 'POST', body: JSON.stringify({ name: 'nats-user' }) }));
    const key = await jsonOf(await adminCall('/admin/v1/keys', { method: 'POST', body: JSON.stringify({ user: user.id, name: 'k' }) }));
    const pooled = await stack.client(key.key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'pooled' }] });
    expect(pooled.choices[0].message.content).toContain('pooled');
    const usage = await waitFor(
      async () => {
        const page = await jsonOf(await adminCall('/admin/v1/usage?granularity=day'));
        return page.rows?.length ? page : null;
      },
      'usage stored through the stream',
      15_000,
      200,
    );
    expect(usage.rows.length).toBeGreaterThan(0);
    expect(await jsonOf(await fetch(`${stack.gatewayUrl}/health/services`))).toEqual({ ok: true, services: SERVICE_NAMES.map((service) => ({ service, ok: true })) });
    expect(nats.log()).not.toMatch(/Violation/);
  });

  it("refuses an admin request from the voice service's credentials: a permission violation, no answer, nothing done", async () => {
    const voice = await as('voice');
    const request = { actor: { kind: 'operator' }, body: { slug: 'voice-made', name: 'Made by voice' } };
    await expect(voice.request(ADMIN_TENANTS_CREATE, packet(ADMIN_TENANTS_CREATE, request), { timeout: 2000 })).rejects.toThrow(`Permissions Violation for Publish to "${ADMIN_TENANTS_CREATE}"`);
    await waitFor(() => nats.log().includes(`Publish Violation - User "voice", Subject "${ADMIN_TENANTS_CREATE}"`), 'the server to report the violation');
    const conversation = await as('conversation');
    await expect(conversation.request(ADMIN_TENANTS_CREATE, packet(ADMIN_TENANTS_CREATE, request), { timeout: 2000 })).rejects.toThrow(/Permissions Violation for Publish/);
    const tenants = await jsonOf(await adminCall('/admin/v1/tenants'));
    expect(tenants.data.map((t: { slug: string }) => t.slug)).not.toContain('voice-made');

    // The same request with the gateway's credentials is answered: the permission, not the message, refused it.
    const gateway = await as('gateway');
    const reply = (await gateway.request(ADMIN_TENANTS_CREATE, packet(ADMIN_TENANTS_CREATE, request), { timeout: 5000 })).json() as { response: { ok: boolean } };
    expect(reply.response.ok).toBe(true);
    expect((await jsonOf(await adminCall('/admin/v1/tenants'))).data.map((t: { slug: string }) => t.slug)).toContain('voice-made');
  });

  it('lets no service but auth answer leases, and none read another service\'s replies', async () => {
    const voice = await as('voice');
    for (const subject of [ACCOUNT_LEASE, `${inboxPrefixOf('gateway')}.>`, `${inboxPrefixOf('auth')}.>`, '_INBOX.>', '>']) {
      let refusal: Error | null = null;
      voice.subscribe(subject, {
        callback: (err) => {
          refusal = err;
        },
      });
      await waitFor(() => refusal !== null, `the server to refuse voice a subscription to ${subject}`);
      expect(refusal!.message).toBe(`Permissions Violation for Subscription to "${subject}"`);
      expect(nats.log()).toContain(`Subscription Violation - User "voice", Subject "${subject}"`);
    }
    // A connection without credentials is not let in at all; over TLS, neither is one that does not know the CA.
    await expect(connect({ servers: nats.url, reconnect: false, maxReconnectAttempts: 0, timeout: 2000, ...(tls ? { tls: { caFile: tls.caFile } } : {}) })).rejects.toThrow(/Authorization Violation/i);
    if (tls) await expect(connect({ servers: nats.url, user: 'voice', pass: passwords.voice, reconnect: false, maxReconnectAttempts: 0, timeout: 2000 })).rejects.toThrow();
    // The stack still works: auth answers the leases, the workers still frame answers to the gateway.
    const answer = await stack.client(stack.sim.issueAccount().accessToken).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'after the attempts' }] });
    expect(answer.choices[0].message.content).toContain('after the attempts');
  });
});
