import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import type { BusError, ResolveCredentialReply, ResolveCredentialRequest } from '@chatgate/contracts';
import { TenantsService } from '../tenants/tenants.service.js';
import { classifyToken, decodeAccessToken, splitWorkspace } from './token-kind.js';

function refuse(message: string, code: string): ResolveCredentialReply {
  const failure: BusError = { status: 401, error: { message, type: 'invalid_request_error', param: null, code } };
  return { ok: false, failure };
}

/** A stable id for a credential that is not the credential: usage and caches are keyed by it. */
export function credentialIdOf(secret: string): string {
  return `raw_${createHash('sha256').update(secret).digest('hex').slice(0, 24)}`;
}

/**
 * Who a Bearer belongs to. The foundation knows one kind: a raw ChatGPT access token, used as the
 * caller's own upstream credential in the default tenant. Gateway keys, mirror tokens and pool
 * codes come with the tenants and accounts work.
 */
@Injectable()
export class CredentialResolverService {
  constructor(private readonly tenants: TenantsService) {}

  resolve(request: ResolveCredentialRequest, now = Date.now()): ResolveCredentialReply {
    const { token, accountId: inlineAccountId } = splitWorkspace(request.bearer);
    const kind = classifyToken(token);
    if (kind !== 'access_token') {
      return refuse(`Incorrect API key provided: ${maskSecret(token)}. Use a chatgate key or a ChatGPT access token.`, 'invalid_api_key');
    }
    const claims = decodeAccessToken(token);
    if (!claims) return refuse(`Incorrect API key provided: ${maskSecret(token)}. The access token cannot be read.`, 'invalid_api_key');
    if (claims.exp !== null && claims.exp * 1000 <= now) {
      return refuse('The ChatGPT access token has expired. Sign in again or send a refresh token.', 'token_expired');
    }
    return {
      ok: true,
      principal: {
        credentialId: credentialIdOf(token),
        tenantId: this.tenants.default.id,
        userId: null,
        label: claims.email ?? 'chatgpt-access-token',
        upstream: { kind: 'chatgpt_access_token', accessToken: token, accountId: request.accountId ?? inlineAccountId },
        // A token with no exp is re-checked every hour.
        expiresAt: claims.exp !== null ? claims.exp * 1000 : now + 3_600_000,
      },
    };
  }
}
