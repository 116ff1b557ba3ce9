// The issuer's public face (auth.openai.com): its OpenID discovery document and the JSON Web Key Set
// that verifies the access and id tokens it mints. `POST /_sim/jwks {available}` takes the key set
// offline (503) and back, so a client's behaviour without it can be tested.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { HttpError, readJsonObject, sendJson } from '../http.js';

export const ISSUER = 'https://auth.openai.com';
export const JWKS_PATH = '/.well-known/jwks.json';
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

function originOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

export function jwksRoute(ctx: SimContext, res: ServerResponse): void {
  ctx.stats.jwksRequest();
  if (!ctx.issuer.jwksAvailable) {
    sendJson(res, 503, { detail: 'Service Unavailable' });
    return;
  }
  sendJson(res, 200, ctx.signer.jwks(), { 'cache-control': 'public, max-age=300' });
}

export function discoveryRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, {
    issuer: ISSUER,
    authorization_endpoint: `${originOf(req)}/oauth/authorize`,
    token_endpoint: `${originOf(req)}/oauth/token`,
    jwks_uri: `${originOf(req)}${JWKS_PATH}`,
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
  });
}

export async function jwksControlRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  if (typeof body.available !== 'boolean') throw new HttpError(400, { detail: 'available must be true or false' });
  ctx.issuer.jwksAvailable = body.available;
  sendJson(res, 200, { ok: true, available: ctx.issuer.jwksAvailable });
}
