import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from './load-config.js';
import { authEnv, gatewayEnv, rawTokensEnabled } from './env-schema.js';
import { adminPasswordProblem, developmentSecretsAllowed, upstreamIsLocal } from './secrets.js';

describe('admin password rules', () => {
  it.each(['CHANGE_ME', 'changeme', 'change-me', 'password', 'admin', 'Admin', 'demo-admin', 'dev-admin', 'secret', '<CHANGE_ME>', 'CHANGE_ME_TO_SOMETHING_LONG', 'replace-me-with-a-real-one'])('refuses the placeholder %s', (value) => {
    expect(adminPasswordProblem(value)).toMatch(/placeholder/);
  });

  it('refuses short and predictable passwords, and says how to make one', () => {
    expect(adminPasswordProblem('Tr0ub4dor&3')).toMatch(/at least 16 characters; generate one with `openssl rand -base64 24`/);
    expect(adminPasswordProblem('aaaaaaaaaaaaaaaaaaaaaaaa')).toMatch(/too predictable/);
    expect(adminPasswordProblem('abababababababababababab')).toMatch(/too predictable/);
  });

  it('accepts generated and long passwords', () => {
    expect(adminPasswordProblem('q5JtOZ6lq9+8tw0RwM2TbxCxh2VnVbmU')).toBeNull();
    expect(adminPasswordProblem('correct horse battery staple')).toBeNull();
  });

  it('stops the gateway at start without repeating the password', () => {
    let err: unknown;
    try {
      parseConfig(gatewayEnv, { ADMIN_PASSWORD: 'CHANGE_ME' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^invalid configuration: ADMIN_PASSWORD: is a placeholder/);
    expect((err as Error).message).not.toContain('CHANGE_ME');
    expect(parseConfig(gatewayEnv, {}).ADMIN_PASSWORD).toBeUndefined();
  });
});

describe('development secrets', () => {
  it('are allowed only with a local simulator as the upstream, outside production', () => {
    expect(upstreamIsLocal('http://127.0.0.1:5099')).toBe(true);
    expect(upstreamIsLocal('http://localhost:5099', 'http://[::1]:1')).toBe(true);
    expect(upstreamIsLocal('http://127.0.0.1:1,http://127.0.0.2:2')).toBe(true);
    expect(upstreamIsLocal('https://chatgpt.com')).toBe(false);
    expect(upstreamIsLocal('http://127.0.0.1:5099', 'https://auth.openai.com')).toBe(false);
    expect(upstreamIsLocal('http://chatgpt-sim:5099')).toBe(false);
    expect(upstreamIsLocal('not a url')).toBe(false);
    expect(upstreamIsLocal()).toBe(false);
    expect(developmentSecretsAllowed({ NODE_ENV: 'development' }, 'http://127.0.0.1:5099')).toBe(true);
    expect(developmentSecretsAllowed({ NODE_ENV: 'test' }, 'https://chatgpt.com')).toBe(false);
    expect(developmentSecretsAllowed({ NODE_ENV: 'production' }, 'http://127.0.0.1:5099')).toBe(false);
  });
});

describe('raw tokens and proxies', () => {
  it('turns raw tokens off by default in production only, and follows RAW_TOKENS when set', () => {
    expect(rawTokensEnabled(parseConfig(authEnv, { NODE_ENV: 'production' }))).toBe(false);
    expect(rawTokensEnabled(parseConfig(authEnv, { NODE_ENV: 'development' }))).toBe(true);
    expect(rawTokensEnabled(parseConfig(authEnv, { NODE_ENV: 'test' }))).toBe(true);
    expect(rawTokensEnabled(parseConfig(authEnv, { NODE_ENV: 'production', RAW_TOKENS: 'true' }))).toBe(true);
    expect(rawTokensEnabled(parseConfig(authEnv, { NODE_ENV: 'development', RAW_TOKENS: 'false' }))).toBe(false);
    expect(parseConfig(authEnv, {}).CHATGPT_JWKS_URL).toBe('https://auth.openai.com/.well-known/jwks.json');
  });

  it('reads CORS_ORIGINS as exact origins or *, none (off) by default, and refuses anything else', () => {
    expect(parseConfig(gatewayEnv, {}).CORS_ORIGINS).toEqual([]);
    expect(parseConfig(gatewayEnv, { CORS_ORIGINS: 'https://chat.example.com, http://localhost:3000/' }).CORS_ORIGINS).toEqual(['https://chat.example.com', 'http://localhost:3000']);
    expect(parseConfig(gatewayEnv, { CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
    for (const bad of ['chat.example.com', 'https://chat.example.com/app', 'ftp://x.example', 'true']) expect(() => parseConfig(gatewayEnv, { CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
  });

  it('reads TRUSTED_PROXIES as addresses and ranges, none by default, and refuses anything else', () => {
    expect(parseConfig(gatewayEnv, {}).TRUSTED_PROXIES).toEqual([]);
    expect(parseConfig(gatewayEnv, { TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.internal', '::1/129']) expect(() => parseConfig(gatewayEnv, { TRUSTED_PROXIES: bad })).toThrow(/TRUSTED_PROXIES/);
  });
});
