import { describe, expect, it } from '@jest/globals';
import { codexClaims, codexCredentialOf, CodexCredentialRefused, mergedClaims } from './codex-credential.js';

const jwt = (claims: Record<string, unknown>) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const AUTH = 'https://api.openai.com/auth';
const ID_TOKEN = jwt({ email: 'dev@example.com', [AUTH]: { chatgpt_account_id: 'acc-1', chatgpt_plan_type: 'plus', chatgpt_user_id: 'user-1' } });
const ACCESS = jwt({ exp: 2_000_000_000, [AUTH]: { chatgpt_account_id: 'acc-1', chatgpt_plan_type: 'plus', user_id: 'user-1' } });
const AUTH_FILE = JSON.stringify(
  { auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens: { id_token: ID_TOKEN, access_token: ACCESS, refresh_token: 'rt_codex_refresh_token_value', account_id: 'acc-1' }, last_refresh: '2026-01-01T00:00:00Z' },
  null,
  2,
);

describe('codexCredentialOf', () => {
  it('reads a pretty-printed codex login auth file whatever the kind', () => {
    for (const kind of ['chatgpt', 'codex'] as const) {
      expect(codexCredentialOf(`\n${AUTH_FILE}\n`, kind)).toEqual({ form: 'auth_file', accessToken: ACCESS, refreshToken: 'rt_codex_refresh_token_value', idToken: ID_TOKEN, accountId: 'acc-1' });
    }
  });

  it('takes an at- token as a workspace Codex access token whatever the kind', () => {
    expect(codexCredentialOf('at-abcdefghijklmnop')).toEqual({ form: 'workspace_token', accessToken: 'at-abcdefghijklmnop' });
  });

  it('reads bare tokens as Codex only when told so', () => {
    expect(codexCredentialOf('rt_codex_refresh_token_value')).toBeNull();
    expect(codexCredentialOf(ACCESS)).toBeNull();
    expect(codexCredentialOf('rt_codex_refresh_token_value', 'codex')).toEqual({ form: 'refresh_token', refreshToken: 'rt_codex_refresh_token_value' });
    expect(codexCredentialOf(ACCESS, 'codex')).toEqual({ form: 'access_token', accessToken: ACCESS });
  });

  it.each([
    ['{"tokens": {', /not valid JSON/],
    ['{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-secret-key-value"}', /holds an API key/],
    ['{"something": "else"}', /no "tokens" object/],
    ['{"tokens": {"id_token": "eyJ.a.b"}}', /neither an access_token nor a refresh_token/],
    ['{"tokens": {"access_token": "not-a-jwt"}}', /not a JWT/],
    ['short', /not a Codex credential/],
  ])('refuses %s without repeating it', (entry, message) => {
    const kind = entry.startsWith('{') ? 'chatgpt' : 'codex';
    let thrown: unknown;
    try {
      codexCredentialOf(entry, kind);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CodexCredentialRefused);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('sk-secret-key-value');
  });
});

describe('codexClaims', () => {
  it("reads the claims Codex reads, the id_token's email first", () => {
    expect(codexClaims(ACCESS)).toEqual({ exp: 2_000_000_000, email: null, accountId: 'acc-1', userId: 'user-1', plan: 'plus' });
    expect(mergedClaims(ID_TOKEN, ACCESS)).toEqual({ exp: 2_000_000_000, email: 'dev@example.com', accountId: 'acc-1', userId: 'user-1', plan: 'plus' });
    expect(codexClaims('at-opaque')).toBeNull();
  });
});
