import { describe, it, expect } from '@jest/globals';
import { classifyToken, decodeAccessToken, splitWorkspace } from './token-kind.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: unknown) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;

describe('token kinds', () => {
  it('tells the four kinds apart', () => {
    expect(classifyToken(jwt({ exp: 1 }))).toBe('access_token');
    expect(classifyToken('rt_' + 'a'.repeat(40))).toBe('refresh_token');
    expect(classifyToken('A'.repeat(45))).toBe('refresh_token_legacy');
    expect(classifyToken('eyJ' + 'x'.repeat(600) + '.more..parts')).toBe('session_token');
    expect(classifyToken('sk-not-a-chatgpt-token')).toBe('unknown');
  });

  it('reads the claims the gateway needs', () => {
    const token = jwt({
      exp: 2_000_000_000,
      'https://api.openai.com/profile': { email: 'a@example.com' },
      'https://api.openai.com/auth': { chatgpt_account_id: 'acc-1', chatgpt_user_id: 'user-1', chatgpt_plan_type: 'plus' },
    });
    expect(decodeAccessToken(token)).toEqual({ exp: 2_000_000_000, email: 'a@example.com', accountId: 'acc-1', userId: 'user-1', plan: 'plus' });
    expect(decodeAccessToken('eyJ.notjson.x')).toBeNull();
  });

  it('splits a workspace suffix', () => {
    expect(splitWorkspace('tok,acc-9')).toEqual({ token: 'tok', accountId: 'acc-9' });
    expect(splitWorkspace('tok')).toEqual({ token: 'tok', accountId: undefined });
  });
});
