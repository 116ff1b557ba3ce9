import { createHash } from 'node:crypto';

/** What identifies the upstream account behind a request (structurally an UpstreamIdentity). */
export interface AccountKeySource {
  accessToken: string;
  chatgptAccountId: string | null;
  deviceId: string | null;
}

/** The `chatgpt_account_id` claim of an access token, read without verification (chatgate is not its audience). */
function accountClaim(accessToken: string): string | null {
  const payload = accessToken.split('.')[1];
  if (!payload || accessToken.split('.').length !== 3) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const auth = claims['https://api.openai.com/auth'] as { chatgpt_account_id?: unknown } | undefined;
    return typeof auth?.chatgpt_account_id === 'string' && auth.chatgpt_account_id ? auth.chatgpt_account_id : null;
  } catch {
    return null;
  }
}

/**
 * A key that stays the same for one upstream account across token refreshes, so whatever is kept per
 * account (its outbound proxy) survives them: the workspace, else the token's account claim, else the
 * pool account's device id, else (an opaque token) a hash of the token. Never the token itself.
 */
export function accountKeyOf(identity: AccountKeySource): string {
  const account = identity.chatgptAccountId ?? accountClaim(identity.accessToken);
  if (account) return `account:${account}`;
  if (identity.deviceId) return `device:${identity.deviceId}`;
  return `token:${createHash('sha256').update(identity.accessToken).digest('hex')}`;
}
