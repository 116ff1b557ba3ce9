import type { AccountEntryKind } from '@chatgate/contracts';

/**
 * The forms a Codex credential is entered in (reference §2):
 * - `auth_file`: `~/.codex/auth.json` as `codex login` writes it, `{tokens: {id_token, access_token,
 *   refresh_token, account_id}, last_refresh}` (also with `auth_mode`, `OPENAI_API_KEY`,
 *   `agent_identity`; those are ignored, the API key never stored);
 * - `refresh_token`: a refresh token issued to Codex's client. It looks like a web login's (`rt_…`),
 *   so it is Codex only when entered as such (kind `codex`);
 * - `access_token`: a Codex login's access token (a JWT, kind `codex`), not refreshable;
 * - `workspace_token`: a Codex access token `at-…` of a Business/Enterprise workspace, not
 *   refreshable; who it belongs to is asked of the whoami endpoint.
 */
export type CodexCredential =
  | { form: 'auth_file'; accessToken: string | null; refreshToken: string | null; idToken: string | null; accountId: string | null }
  | { form: 'refresh_token'; refreshToken: string }
  | { form: 'access_token'; accessToken: string }
  | { form: 'workspace_token'; accessToken: string };

/** Why an entry cannot be a Codex credential (never repeating it). */
export class CodexCredentialRefused extends Error {}

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Whether an entry is a JSON object, i.e. (for auth) a pasted auth file. */
export const looksLikeJson = (raw: string): boolean => raw.trimStart().startsWith('{');

/**
 * The Codex credential an entry holds, or null when it is no Codex credential (a ChatGPT web token,
 * to be read as one). Auth files and `at-` tokens are Codex whatever `kind` says; a bare JWT or
 * refresh token is Codex only with kind `codex`.
 */
export function codexCredentialOf(raw: string, kind: AccountEntryKind = 'chatgpt'): CodexCredential | null {
  const text = raw.trim();
  if (looksLikeJson(text)) return authFileOf(text);
  if (text.startsWith('at-')) {
    if (!/^at-[\x21-\x7e]+$/.test(text)) throw new CodexCredentialRefused('a Codex access token (at-…) is printable characters without spaces');
    return { form: 'workspace_token', accessToken: text };
  }
  if (kind !== 'codex') return null;
  if (JWT_SHAPE.test(text)) return { form: 'access_token', accessToken: text };
  if (/^[\x21-\x7e]{20,}$/.test(text) && !text.includes(',')) return { form: 'refresh_token', refreshToken: text };
  throw new CodexCredentialRefused('not a Codex credential: expected a codex login auth file (JSON), a Codex refresh token, a Codex access token or an at- token');
}

function authFileOf(text: string): CodexCredential {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CodexCredentialRefused('not valid JSON: paste the whole auth file (~/.codex/auth.json) as codex login wrote it');
  }
  const file = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const tokens = file.tokens !== null && typeof file.tokens === 'object' && !Array.isArray(file.tokens) ? (file.tokens as Record<string, unknown>) : null;
  if (!tokens) {
    throw new CodexCredentialRefused(
      file.OPENAI_API_KEY ? 'the auth file holds an API key, not a ChatGPT login: enter the key as an API-key account' : 'not a codex login auth file: it has no "tokens" object',
    );
  }
  const accessToken = str(tokens.access_token);
  const refreshToken = str(tokens.refresh_token);
  if (!accessToken && !refreshToken) throw new CodexCredentialRefused('the auth file\'s "tokens" hold neither an access_token nor a refresh_token');
  if (accessToken && !JWT_SHAPE.test(accessToken)) throw new CodexCredentialRefused('the auth file\'s tokens.access_token is not a JWT');
  return { form: 'auth_file', accessToken, refreshToken, idToken: str(tokens.id_token), accountId: str(tokens.account_id) };
}

export interface CodexClaims {
  exp: number | null;
  email: string | null;
  accountId: string | null;
  userId: string | null;
  plan: string | null;
}

/**
 * The claims Codex reads from its id_token and access token (reference §2.1), without verifying
 * the signature (chatgate is not the audience): the `https://api.openai.com/auth` claim's
 * `chatgpt_account_id`, `chatgpt_plan_type`, `chatgpt_user_id` (or `user_id`), and the email from
 * `email` or `https://api.openai.com/profile`.
 */
export function codexClaims(jwt: string | null): CodexClaims | null {
  const payload = jwt?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const auth = (claims['https://api.openai.com/auth'] ?? {}) as Record<string, unknown>;
    const profile = (claims['https://api.openai.com/profile'] ?? {}) as Record<string, unknown>;
    return {
      exp: typeof claims.exp === 'number' ? claims.exp : null,
      email: str(claims.email) ?? str(profile.email),
      accountId: str(auth.chatgpt_account_id),
      userId: str(auth.chatgpt_user_id) ?? str(auth.user_id),
      plan: str(auth.chatgpt_plan_type),
    };
  } catch {
    return null;
  }
}

/** What several tokens of one login say, the first that says it winning (id_token before access token). */
export function mergedClaims(...tokens: Array<string | null>): CodexClaims {
  const all = tokens.map(codexClaims).filter((c): c is CodexClaims => c !== null);
  const first = <K extends keyof CodexClaims>(key: K): CodexClaims[K] | null => all.find((c) => c[key] !== null)?.[key] ?? null;
  return { exp: first('exp'), email: first('email'), accountId: first('accountId'), userId: first('userId'), plan: first('plan') };
}
