// POST /oauth/token (both the auth0 legacy and the auth.openai.com refresh flows; Codex's client
// is answered by codex/oauth.ts) and GET /api/auth/session. No bearer: the credential is in the
// body or the cookie.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCESS_TOKEN_TTL_SEC } from '../accounts.js';
import type { SimContext } from '../context.js';
import { cookie, readJsonObject, sendJson } from '../http.js';
import { isWorkspacePlan } from '../models.js';
import { codexRefresh } from '../codex/oauth.js';

const SESSION_COOKIE = '__Secure-next-auth.session-token';
const SESSION_TTL_MS = 90 * 86400_000;
const CURRENT_CLIENT_ID = 'app_LlGpXReQgckcGGUo2JrYvtJK';
const LEGACY_CLIENT_ID = 'pdlLIX2Y72MIl2rhLhTE9VV9bN905kBh';

function transientFailure(res: ServerResponse): void {
  sendJson(res, 500, { error: 'server_error', error_description: 'Internal server error' });
}

export async function oauthTokenRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.stats.tokenRequest();
  const body = await readJsonObject(req);
  if (body.grant_type !== 'refresh_token') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Only grant_type=refresh_token is supported.' });
    return;
  }
  const token = typeof body.refresh_token === 'string' ? body.refresh_token : '';
  if (!token) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing refresh_token.' });
    return;
  }
  if (codexRefresh(ctx, req, res, body, token)) return;
  const owner = ctx.accounts.refreshTokenOwner(token);
  // A transient auth-server failure leaves the token unused, so a retry can still succeed.
  if (owner && ctx.behaviours.take(owner, true)) {
    transientFailure(res);
    return;
  }
  const rotated = ctx.accounts.rotateRefreshToken(token);
  if (!rotated) {
    sendJson(res, 400, {
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
    return;
  }
  const { account, kind, next } = rotated;
  ctx.stats.refresh(account.accountId);
  const clientId =
    typeof body.client_id === 'string' ? body.client_id : kind === 'current' ? CURRENT_CLIENT_ID : LEGACY_CLIENT_ID;
  sendJson(res, 200, {
    access_token: ctx.accounts.mintAccessToken(account, ACCESS_TOKEN_TTL_SEC),
    refresh_token: next,
    id_token: ctx.accounts.mintIdToken(account, clientId),
    scope: 'openid profile email offline_access',
    expires_in: ACCESS_TOKEN_TTL_SEC,
    token_type: 'Bearer',
  });
}

export function sessionRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  ctx.stats.sessionRequest();
  const token = cookie(req, SESSION_COOKIE);
  const owner = token ? ctx.accounts.sessionOwner(token) : undefined;
  if (owner && ctx.behaviours.take(owner, true)) {
    transientFailure(res);
    return;
  }
  const used = token ? ctx.accounts.useSession(token) : undefined;
  if (!used) {
    // next-auth answers an unknown session with an empty object, not an error status.
    sendJson(res, 200, {});
    return;
  }
  const { account, next } = used;
  const expires = new Date(Date.now() + SESSION_TTL_MS);
  const accessToken = ctx.accounts.mintAccessToken(account, ACCESS_TOKEN_TTL_SEC);
  sendJson(
    res,
    200,
    {
      user: {
        id: account.userId,
        name: account.email.split('@')[0],
        email: account.email,
        image: null,
        picture: null,
        idp: 'auth0',
        iat: Math.floor(Date.now() / 1000),
        mfa: false,
        groups: [],
      },
      expires: expires.toISOString(),
      accessToken,
      authProvider: 'auth0',
      account: {
        id: account.accountId,
        planType: account.plan,
        structure: isWorkspacePlan(account.plan) ? 'workspace' : 'personal',
        residencyRegion: 'no_constraint',
      },
    },
    {
      'set-cookie': [
        `${SESSION_COOKIE}=${next}; Path=/; Expires=${expires.toUTCString()}; HttpOnly; Secure; SameSite=Lax`,
      ],
    },
  );
}
