import { describe, it, expect } from '@jest/globals';
import { parseConfig, ConfigError, gatewayEnv, authEnv, conversationEnv, voiceEnv, maskUrl, maskSecret } from './index.js';

describe('config', () => {
  it('applies the documented defaults', () => {
    const cfg = parseConfig(authEnv, {});
    expect(cfg.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/chatgate');
    expect(cfg.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(parseConfig(gatewayEnv, {}).PORT).toBe(5005);
  });

  it('treats empty values as unset and coerces booleans and numbers', () => {
    const cfg = parseConfig(gatewayEnv, { PORT: '', API_HATD: 'true', BODY_LIMIT_BYTES: '1024' });
    expect(cfg.PORT).toBe(5005);
    expect(cfg.API_HATD).toBe(true);
    expect(cfg.BODY_LIMIT_BYTES).toBe(1024);
  });

  it('accepts http, https, socks5 and socks5h proxies and refuses others without repeating their credentials', () => {
    const ok = parseConfig(conversationEnv, { PROXY_URL_POOL: 'http://a:3128, socks5h://u:p@b:1080,https://c', PROXY_URL: 'socks5://d:1080' });
    expect(ok.PROXY_URL_POOL).toContain('socks5h://u:p@b:1080');
    expect(ok.PROXY_COOLOFF_MS).toBe(60_000);
    for (const bad of ['ftp://user:hunter2@a:21', 'socks4://user:hunter2@a:1080', 'user:hunter2@proxy:8080']) {
      let err: unknown;
      try {
        parseConfig(conversationEnv, { PROXY_URL_POOL: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('PROXY_URL_POOL');
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('names every bad variable', () => {
    expect(() => parseConfig(gatewayEnv, { PORT: 'abc', NATS_URL: 'not a url' })).toThrow(ConfigError);
    try {
      parseConfig(gatewayEnv, { PORT: 'abc', NATS_URL: 'not a url' });
    } catch (err) {
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toContain('PORT');
      expect(text).toContain('NATS_URL');
    }
  });

  it('defaults the refresh schedule and refuses an unknown time zone', () => {
    const cfg = parseConfig(authEnv, {});
    expect(cfg).toMatchObject({ SCHEDULED_REFRESH: false, REFRESH_TZ: 'UTC', REFRESH_MARGIN_DAYS: 5, REFRESH_INTERVAL_DAYS: 4, REFRESH_CONCURRENCY: 4, REFRESH_RATE_PER_SEC: 20, REFRESH_ATTEMPTS: 5 });
    expect(parseConfig(authEnv, { REFRESH_TZ: 'Europe/Berlin' }).REFRESH_TZ).toBe('Europe/Berlin');
    expect(() => parseConfig(authEnv, { REFRESH_TZ: 'Mars/Olympus_Mons' })).toThrow(/REFRESH_TZ/);
  });

  it('gives every service a shutdown grace and the job workers one concurrency cap', () => {
    expect(parseConfig(gatewayEnv, {}).SHUTDOWN_GRACE_MS).toBe(10_000);
    expect(parseConfig(authEnv, { SHUTDOWN_GRACE_MS: '30000' }).SHUTDOWN_GRACE_MS).toBe(30_000);
    expect(() => parseConfig(gatewayEnv, { SHUTDOWN_GRACE_MS: '10' })).toThrow(/SHUTDOWN_GRACE_MS/);
    for (const schema of [conversationEnv, voiceEnv]) expect(parseConfig(schema, { WORKER_CONCURRENCY: '8' })).toMatchObject({ WORKER_CONCURRENCY: 8, WORKER_HEARTBEAT_MS: 1000 });
    expect(parseConfig(conversationEnv, {})).toMatchObject({ WORKER_CONCURRENCY: 256, UPLOAD_JOB_MAX_BYTES: 40 * 1024 * 1024 });
    expect(() => parseConfig(voiceEnv, { WORKER_CONCURRENCY: '0' })).toThrow(/WORKER_CONCURRENCY/);
  });

  it('masks passwords in URLs and secrets', () => {
    expect(maskUrl('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    const token = 'eyJhbGciOiJIUzI1NiJ9.payloadpayloadpayload.signature';
    expect(maskSecret(token)).not.toContain('payload');
    expect(maskSecret('short')).toBe('***');
  });
});
