/**
 * What kind of ChatGPT credential a string is (reference §1). Classification looks at shape only;
 * whether it works is for the upstream to say.
 */
export type TokenKind = 'access_token' | 'refresh_token_legacy' | 'refresh_token' | 'session_token' | 'unknown';

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

export function classifyToken(token: string): TokenKind {
  if (JWT_SHAPE.test(token)) return 'access_token';
  if (token.startsWith('rt_')) return 'refresh_token';
  if (token.length === 45 && !token.includes('.') && /^[\w-]+$/.test(token)) return 'refresh_token_legacy';
  if (token.length > 200 && /^[\w.\-~]+$/.test(token)) return 'session_token';
  return 'unknown';
}

export interface AccessTokenClaims {
  exp: number | null;
  email: string | null;
  accountId: string | null;
  userId: string | null;
  plan: string | null;
}

/**
 * Reads the claims without verifying the signature: for tokens already verified (IssuerKeys) or just
 * received from the issuer's token endpoint. Never the check that a presented token is genuine.
 */
export function decodeAccessToken(token: string): AccessTokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const profile = (claims['https://api.openai.com/profile'] ?? {}) as Record<string, unknown>;
    const auth = (claims['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      exp: typeof claims.exp === 'number' ? claims.exp : null,
      email: str(profile.email),
      accountId: str(auth.chatgpt_account_id),
      userId: str(auth.chatgpt_user_id) ?? str(auth.user_id),
      plan: str(auth.chatgpt_plan_type),
    };
  } catch {
    return null;
  }
}

/** `Bearer <token>,<account id>` selects a Team workspace (reference §1). */
export function splitWorkspace(bearer: string): { token: string; accountId: string | undefined } {
  const comma = bearer.lastIndexOf(',');
  if (comma < 0) return { token: bearer, accountId: undefined };
  const accountId = bearer.slice(comma + 1).trim();
  return { token: bearer.slice(0, comma).trim(), accountId: accountId || undefined };
}
