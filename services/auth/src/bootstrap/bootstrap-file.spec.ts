import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@chatgate/config';
import { hashSecret } from '../keys/key-secret.js';
import { loadBootstrapFile, type LoadOptions } from './bootstrap-file.js';

const dir = mkdtempSync(join(tmpdir(), 'chatgate-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fileWith = (text: string) => {
  const file = join(dir, `b${++n}.yaml`);
  writeFileSync(file, text);
  return file;
};
const PLAIN = 'sk-cg-plain-development-key-0001';
const opts = (o: Partial<LoadOptions> = {}): LoadOptions => ({ nodeEnv: 'test', env: { ACME_TOKEN: '  eyJ.token.value  ' }, ...o });

/** The one line runService would print, or null when the file loads. */
function faultOf(text: string, o?: Partial<LoadOptions>): string | null {
  const file = fileWith(text);
  try {
    loadBootstrapFile(file, opts(o));
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(file);
    return message.slice(message.indexOf(file) + file.length);
  }
}

const VALID = `# a tenant with everything
tenants:
  - slug: acme
    name: Acme
    accounts:
      - token_env: ACME_TOKEN
      - token_file: acme.token
    users:
      - name: alice
        status: active
        expires_at: 2030-01-01T00:00:00Z
        isolated_session: true
        limits:
          - { model_name: gpt-4o, every_minute: 60, limit_count: 10 }
        chatgpt_list: all
        keys:
          - name: laptop
            hash: sha256:${'AB'.repeat(32)}
          - plain: ${PLAIN}
            expires_at: null
`;

describe('bootstrap file', () => {
  it('loads a valid file, reads tokens from the environment and from files, and hashes keys as issued keys are hashed', () => {
    writeFileSync(join(dir, 'acme.token'), 'rt_from_file\n');
    const plan = loadBootstrapFile(fileWith(VALID), opts());
    const [tenant] = plan.data.tenants;
    expect(tenant.slug).toBe('acme');
    expect(tenant.users[0].limits).toEqual([{ model_name: 'gpt-4o', every_minute: 60, limit_count: 10 }]);
    expect(plan.tokens[0].map((t) => t.token)).toEqual(['eyJ.token.value', 'rt_from_file']);
    expect(plan.tokens[0][0].fingerprint).toBe(hashSecret('eyJ.token.value'));
    expect(tenant.users[0].keys.map((k) => k.hash ?? k.plain)).toEqual([`sha256:${'AB'.repeat(32)}`, PLAIN]);
  });

  it('names the line of a YAML syntax error', () => {
    expect(faultOf('tenants:\n  - slug: acme\n    name: [unclosed\n')).toMatch(/^ line \d+: YAML syntax: /);
    expect(faultOf('tenants:\n  - slug: a\n    slug: b\n')).toMatch(/^ line 3: YAML syntax: .*unique/i);
  });

  it('refuses an unknown field (a typo) at its line', () => {
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        limts: []\n')).toBe(' line 5, field tenants[0].users[0].limts: unknown field');
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        budget: { amount_usd: 5, period: month, amount: 1 }\n')).toBe(' line 5, field tenants[0].users[0].budget.amount: unknown field');
    expect(faultOf('tenant:\n  - slug: acme\n')).toBe(' line 1, field tenant: unknown field');
  });

  it("accepts a user's budget and names a bad one's field", () => {
    const plan = loadBootstrapFile(fileWith('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        budget: { amount_usd: 12.5, period: month }\n      - name: eve\n        budget: null\n'), opts());
    expect(plan.data.tenants[0].users.map((u) => u.budget)).toEqual([{ amount_usd: 12.5, period: 'month' }, null]);
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        budget:\n          amount_usd: 5\n          period: week\n')).toMatch(/^ line 7, field tenants\[0\]\.users\[0\]\.budget\.period: /);
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        budget: { amount_usd: -1, period: day }\n')).toMatch(/^ line 5, field tenants\[0\]\.users\[0\]\.budget\.amount_usd: /);
  });

  it('refuses a window that is not positive, naming the limit entry', () => {
    const fault = faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        limits:\n          - model_name: gpt-4o\n            every_minute: -5\n            limit_count: 1\n');
    expect(fault).toMatch(/^ line 7, field tenants\[0\]\.users\[0\]\.limits\[0\]\.every_minute: /);
  });

  it('refuses a token written in the file itself, without echoing it', () => {
    const fault = faultOf('tenants:\n  - slug: acme\n    accounts:\n      - token: eyJhbGciOiJIUzI1NiJ9.secret.sig\n');
    expect(fault).toBe(' line 4, field tenants[0].accounts[0].token: tokens are never written in the bootstrap file: use token_env (an environment variable) or token_file (a path)');
    expect(fault).not.toContain('secret');
    expect(faultOf('tenants:\n  - slug: acme\n    accounts:\n      - refresh_token: rt_abc\n')).toMatch(/^ line 4, field tenants\[0\]\.accounts\[0\]\.refresh_token: tokens are never written/);
  });

  it('accepts a plain key in development and test only', () => {
    const text = `tenants:\n  - slug: acme\n    users:\n      - name: bob\n        keys:\n          - plain: ${PLAIN}\n`;
    expect(faultOf(text, { nodeEnv: 'development' })).toBeNull();
    const fault = faultOf(text, { nodeEnv: 'production' });
    expect(fault).toBe(' line 6, field tenants[0].users[0].keys[0].plain: plain keys are accepted only when NODE_ENV is development or test; give hash: sha256:<hex>');
    expect(fault).not.toContain(PLAIN);
  });

  it('names a missing token variable, a malformed hash, a duplicate user and a missing field', () => {
    expect(faultOf('tenants:\n  - slug: acme\n    accounts:\n      - token_env: NOT_SET_ANYWHERE\n')).toBe(' line 4, field tenants[0].accounts[0].token_env: the environment variable NOT_SET_ANYWHERE is not set or empty');
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n        keys:\n          - hash: md5:abc\n')).toMatch(/^ line 6, field tenants\[0\]\.users\[0\]\.keys\[0\]\.hash: must be sha256:/);
    expect(faultOf('tenants:\n  - slug: acme\n    users:\n      - name: bob\n      - name: bob\n')).toBe(' line 5, field tenants[0].users[1].name: duplicate user name in this tenant');
    expect(faultOf('tenants:\n  - name: no slug\n')).toMatch(/^ line 2, field tenants\[0\]\.slug: /);
    expect(faultOf('tenants:\n  - slug: acme\n    accounts:\n      - {}\n')).toBe(' line 4, field tenants[0].accounts[0]: give exactly one of token_env, token_file or codex_auth_file');
    expect(faultOf('tenants:\n  - slug: acme\n    accounts:\n      - codex_auth_file: auth.json\n        kind: chatgpt\n')).toBe(' line 5, field tenants[0].accounts[0].kind: an auth file is a Codex login: leave kind out or say codex');
    expect(faultOf('tenants:\n  - slug: acme\n    accounts:\n      - token_env: X\n        kind: codx\n')).toMatch(/^ line 5, field tenants\[0\]\.accounts\[0\]\.kind: /);
  });

  it('names an unreadable file without a line', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadBootstrapFile(missing, opts())).toThrow(`CHATGATE_BOOTSTRAP ${missing}: cannot be read (ENOENT)`);
  });
});
