import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';
import { redactSecrets } from './redaction.js';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.signature-9f8e7d';

describe('log redaction', () => {
  it('blanks secret fields at any depth, in any spelling, and leaves the logged object alone', () => {
    const logged = {
      access_token: SECRET,
      refresh_token: SECRET,
      id_token: SECRET,
      session_token: SECRET,
      sessionToken: SECRET,
      password: SECRET,
      apiKey: SECRET,
      'x-api-key': SECRET,
      req: { headers: { Authorization: `Bearer ${SECRET}`, Cookie: `__Secure-next-auth.session-token=${SECRET}`, 'set-cookie': [`sid=${SECRET}`] } },
      upstream: { account: { tokens: { access_token: SECRET } } },
      list: [{ client_secret: SECRET }],
      usage: { tokens: 1200 },
      model: 'gpt-4o',
    };
    const text = JSON.stringify(redactSecrets(logged));
    expect(text).not.toContain('signature-9f8e7d');
    expect(text).toContain('"model":"gpt-4o"');
    expect(text).toContain('"tokens":1200');
    expect(logged.req.headers.Authorization).toContain(SECRET);
  });

  it('cuts cycles instead of looping', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redactSecrets(a)).toEqual({ name: 'a', self: '[circular]' });
  });

  it('applies to every line a service logger writes, trace included', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((out += chunk), done()) });
    const logger = createLogger('test', 'trace', sink);
    logger.trace({ body: { refresh_token: SECRET } }, 'exchanging');
    logger.info({ err: Object.assign(new Error('boom'), { config: { headers: { authorization: SECRET } } }) }, 'failed');
    await new Promise((r) => setImmediate(r));
    expect(out).toContain('exchanging');
    expect(out).toContain('boom');
    expect(out).not.toContain('signature-9f8e7d');
  });
});
