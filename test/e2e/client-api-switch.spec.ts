import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { jsonOf } from '@chatgate/testing';
import { startStack, type Stack } from '../support/stack.js';

const PASSWORD = 'admin-password-for-switch-tests-91c';
const PREFIX = 'mirror';

/**
 * ENABLE_MIRROR_API=false (ChatGPT-Mirror's switch, "serve the client API"): a gateway kept for
 * administration only. Every client route answers 404 in OpenAI's envelope, as an unknown URL does,
 * whatever the credential; the admin API and health keep working.
 */
describe('ENABLE_MIRROR_API=false', () => {
  let stack: Stack;
  let token: string;
  const url = (path: string) => `${stack.gatewayUrl}/${PREFIX}${path}`;

  beforeAll(async () => {
    stack = await startStack({ gateway: { ENABLE_MIRROR_API: 'false', ADMIN_PASSWORD: PASSWORD, API_PREFIX: PREFIX } });
    token = stack.sim.issueAccount().accessToken;
  });
  afterAll(() => stack?.close());

  it('refuses chat to the official client with a 404, and nothing reaches the upstream', async () => {
    const client = new OpenAI({ apiKey: token, baseURL: url('/v1'), maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.error).toMatchObject({ type: 'invalid_request_error', code: 'unknown_url' });
    expect(stack.sim.stats().conversationRequests).toBe(0);
  });

  it.each([
    ['GET', '/v1/models'],
    ['GET', '/v1/models/gpt-4o'],
    ['POST', '/v1/completions'],
    ['POST', '/v1/embeddings'],
    ['POST', '/v1/images/generations'],
    ['POST', '/v1/audio/speech'],
    ['GET', '/v1/files/some-token'],
    ['GET', '/v1/dashboard/billing/subscription'],
    ['GET', '/api/livekit'],
    ['GET', '/chatgpt/conversations'],
    ['POST', '/backend-api/conversation'],
    ['GET', '/backend-api/me'],
  ])('answers %s %s with the 404 envelope', async (method, path) => {
    const res = await fetch(url(path), { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error).toMatchObject({ type: 'invalid_request_error', code: 'unknown_url' });
  });

  it('keeps the admin API, the chat2api token pool routes and health', async () => {
    const admin = { authorization: `Bearer ${PASSWORD}` };
    expect((await fetch(url('/admin/v1/accounts'), { headers: admin })).status).toBe(200);
    expect((await fetch(url('/admin/v1/users'), { headers: admin })).status).toBe(200);
    expect((await fetch(url('/tokens'), { headers: { ...admin, accept: 'application/json' } })).status).toBe(200);
    for (const path of ['/health', '/health/live', '/health/ready']) expect([path, (await fetch(`${stack.gatewayUrl}${path}`)).status]).toEqual([path, 200]);
    // Served, with the services of this stack (voice and usage are not started here: 503, as for any service down).
    const services = await fetch(`${stack.gatewayUrl}/health/services`);
    expect(services.status).toBe(503);
    expect(await jsonOf(services)).toMatchObject({ ok: false, services: expect.arrayContaining([{ service: 'gateway', ok: true }, { service: 'conversation', ok: true }]) });
  });
});
