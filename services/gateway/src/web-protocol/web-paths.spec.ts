import { describe, expect, it } from '@jest/globals';
import { isRefusedWebPath, queryOf, refuseUnplainPath, webPathOf } from './web-paths.js';

describe('web paths', () => {
  it('finds the path under /backend-api or /chatgpt, behind any API prefix', () => {
    expect(webPathOf('/backend-api/me')).toBe('me');
    expect(webPathOf('/chatgpt/accounts/check/v4-2023-04-27?x=1')).toBe('accounts/check/v4-2023-04-27');
    expect(webPathOf('/prefix/backend-api/f/conversation/')).toBe('f/conversation');
    expect(webPathOf('/v1/chat/completions')).toBeNull();
    expect(queryOf('/backend-api/models?history_and_training_disabled=false')).toBe('history_and_training_disabled=false');
    expect(queryOf('/backend-api/me')).toBe('');
  });

  it.each([
    'accounts/deactivate',
    'accounts/logout_all',
    'accounts/transfer',
    'payments/checkout',
    'subscriptions',
    'Settings/user',
    'memories',
    'memories/abc',
    'user_system_messages',
    'admin',
    'admin/users',
  ])('refuses %s', (path) => expect(isRefusedWebPath(path)).toBe(true));

  it.each(['me', 'models', 'conversation', 'f/conversation', 'accounts/check/v4-2023-04-27', 'settingsx', 'administrator-notes'])('does not refuse %s', (path) =>
    expect(isRefusedWebPath(path)).toBe(false),
  );
});

describe('plain relayed paths', () => {
  it.each(['/backend-api/%6de', '/backend-api/me;x=1', '/chatgpt/%63onversation?x=1', '/p/backend-api/f/%63onversation'])('refuses %s with a 400', (url) => {
    expect(() => refuseUnplainPath(url)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('takes plain paths, escapes in the query included', () => {
    expect(() => refuseUnplainPath('/backend-api/models?x=%20;y')).not.toThrow();
    expect(() => refuseUnplainPath('/backend-api/conversation')).not.toThrow();
  });
});
