import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@chatgate/config';
import { natsAuthenticates, natsConnectionOptions } from './nats-options.js';

describe('NATS connection options', () => {
  it('gives a service its credentials, TLS files and its own inbox prefix', () => {
    const options = natsConnectionOptions({ NATS_URL: 'nats://nats:4222', NATS_USER: 'voice', NATS_PASSWORD: 'pw-123', NATS_TLS_CA: '/etc/nats/ca.pem' }, 'voice');
    expect(options).toMatchObject({ servers: 'nats://nats:4222', user: 'voice', pass: 'pw-123', tls: { caFile: '/etc/nats/ca.pem' }, inboxPrefix: '_INBOX_voice' });
    expect(natsConnectionOptions('nats://127.0.0.1:4222')).toEqual({ servers: 'nats://127.0.0.1:4222' });
    expect(natsConnectionOptions({ NATS_URL: 'nats://n:4222', NATS_TOKEN: 't' }).token).toBe('t');
    expect(natsAuthenticates({ NATS_URL: 'nats://n:4222' })).toBe(false);
    expect(natsAuthenticates({ NATS_URL: 'nats://n:4222', NATS_TOKEN: 't' })).toBe(true);
  });

  it('reads a creds file into an authenticator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatgate-creds-'));
    writeFileSync(join(dir, 'x.creds'), '-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.e30.x\n------END NATS USER JWT------\n');
    expect(typeof natsConnectionOptions({ NATS_URL: 'nats://n:4222', NATS_CREDS: join(dir, 'x.creds') }).authenticator).toBe('function');
    expect(() => natsConnectionOptions({ NATS_URL: 'nats://n:4222', NATS_CREDS: join(dir, 'missing.creds') })).toThrow(/NATS_CREDS: cannot read the file/);
  });

  it('refuses half or conflicting settings without repeating a secret', () => {
    for (const [settings, problem] of [
      [{ NATS_USER: 'gateway' }, /NATS_USER and NATS_PASSWORD go together/],
      [{ NATS_USER: 'gateway', NATS_PASSWORD: 'hunter2', NATS_TOKEN: 'tok' }, /not NATS_USER\/NATS_PASSWORD and NATS_TOKEN/],
      [{ NATS_TLS_CERT: '/c.pem' }, /NATS_TLS_CERT and NATS_TLS_KEY go together/],
    ] as const) {
      let err: unknown;
      try {
        natsConnectionOptions({ NATS_URL: 'nats://n:4222', ...settings });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(problem);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
