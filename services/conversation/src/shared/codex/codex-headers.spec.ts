import { describe, expect, it } from '@jest/globals';
import { codexHeaders, codexUserAgent, derivedUuid } from './codex-headers.js';

const NAME = { originator: 'codex_cli_rs', version: '0.125.0' };

describe('Codex client headers', () => {
  it("writes the User-Agent in Codex's format, naming chatgate in the terminal slot", () => {
    expect(codexUserAgent(NAME, { osType: 'Linux', osVersion: '6.8.0-45-generic', arch: 'x86_64' })).toBe('codex_cli_rs/0.125.0 (Linux 6.8.0-45-generic; x86_64) chatgate');
    // Nothing a header cannot carry.
    expect(codexUserAgent(NAME, { osType: 'Lin\nux', osVersion: '', arch: 'arm64' })).toBe('codex_cli_rs/0.125.0 (Linux unknown; arm64) chatgate');
  });

  it('sends what a Codex client sends: token, account id, originator, version, session, beta, accept, exact content type', () => {
    const headers = codexHeaders({ accessToken: 'tok', chatgptAccountId: 'acc-1' }, NAME, 'ua', { accept: 'text/event-stream', sessionId: 's-1', hasBody: true });
    expect(headers).toEqual({
      authorization: 'Bearer tok',
      'chatgpt-account-id': 'acc-1',
      originator: 'codex_cli_rs',
      version: '0.125.0',
      session_id: 's-1',
      'openai-beta': 'responses=experimental',
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'user-agent': 'ua',
    });
    const listing = codexHeaders({ accessToken: 'tok', chatgptAccountId: null }, NAME, 'ua', { accept: 'application/json', hasBody: false });
    expect(listing).not.toHaveProperty('content-type');
    expect(listing).not.toHaveProperty('chatgpt-account-id');
    expect(listing).not.toHaveProperty('session_id');
  });

  it('derives stable UUID-shaped ids', () => {
    const id = derivedUuid('tenant', 'cred', 'hello');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedUuid('tenant', 'cred', 'hello')).toBe(id);
    expect(derivedUuid('tenant', 'cre', 'dhello')).not.toBe(id);
  });
});
