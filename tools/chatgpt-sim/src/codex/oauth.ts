// POST /oauth/token for Codex's client (reference §2.3). The web and Codex clients share the
// endpoint: a refresh token Codex's client issued (or a request naming Codex's client id) is
// answered here, everything else by the web flow (routes/tokens.ts). The client id must be the one
// that issued the token (unless the quirk allows otherwise); a used token is reuse and kills the
// login; failures come as 401 with the codes Codex classifies as permanent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { sendJson } from '../http.js';
import { CODEX_CLIENT_ID, type RefreshFailure } from './credentials.js';

const FAILURES: Record<RefreshFailure, { code: string; message: string }> = {
  reused: { code: 'refresh_token_reused', message: 'Your refresh token has already been used to generate a new access token. Please try signing in again.' },
  expired: { code: 'refresh_token_expired', message: 'Your refresh token has expired. Please try signing in again.' },
  invalidated: { code: 'refresh_token_invalidated', message: 'Your refresh token has been invalidated. Please try signing in again.' },
};

function wrongClient(res: ServerResponse): void {
  sendJson(res, 400, { error: 'invalid_grant', error_description: 'The refresh token was issued to another client.' });
}

/** True when this was a Codex refresh (answered here); false leaves the request to the web flow. */
export function codexRefresh(ctx: SimContext, req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>, token: string): boolean {
  const clientId = typeof body.client_id === 'string' && body.client_id !== '' ? body.client_id : undefined;
  const { credentials, quirks, records } = ctx.codex;
  if (!credentials.knowsRefreshToken(token)) {
    // A web token presented as Codex's client: refused as another client's, unless the quirk allows it.
    if (clientId === CODEX_CLIENT_ID && ctx.accounts.refreshTokenOwner(token) && !quirks.crossClientRefresh) {
      records.start(req, res, '/oauth/token').body = body;
      ctx.stats.codexRefreshFailed('invalid_grant');
      wrongClient(res);
      return true;
    }
    return false;
  }
  const record = records.start(req, res, '/oauth/token');
  record.body = body;
  const owner = credentials.ownerOfRefreshToken(token);
  if (owner) {
    record.accountId = owner.accountId;
    ctx.stats.codexRefreshCall(owner.accountId);
    // A transient auth-server failure leaves the token unused, so a retry can still succeed.
    if (ctx.behaviours.take(owner, true)) {
      sendJson(res, 500, { error: 'server_error', error_description: 'Internal server error' });
      return true;
    }
  }
  const result = credentials.refresh(token, clientId, quirks.crossClientRefresh);
  if (!result) return false;
  if (result.ok) {
    ctx.stats.refresh(result.account.accountId);
    ctx.stats.codexRefreshed(result.account.accountId);
    sendJson(res, 200, {
      id_token: result.tokens.idToken,
      access_token: result.tokens.accessToken,
      refresh_token: result.tokens.refreshToken,
      expires_in: result.expiresIn,
      token_type: 'Bearer',
      scope: 'openid profile email offline_access api.connectors.read api.connectors.invoke',
    });
    return true;
  }
  if (result.failure === 'missing_client') {
    ctx.stats.codexRefreshFailed('missing_client_id');
    sendJson(res, 400, { error: { message: "Missing 'client_id'", type: 'invalid_request_error', param: 'client_id', code: 'missing_required_parameter' } });
    return true;
  }
  if (result.failure === 'wrong_client') {
    ctx.stats.codexRefreshFailed('invalid_grant');
    wrongClient(res);
    return true;
  }
  const { code, message } = FAILURES[result.failure];
  ctx.stats.codexRefreshFailed(code);
  sendJson(res, 401, { error: { message, type: 'invalid_request_error', param: null, code } });
  return true;
}
