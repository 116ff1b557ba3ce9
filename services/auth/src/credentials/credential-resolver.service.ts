import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { maskSecret } from '@chatgate/config';
import type { BusError, Principal, ResolveCredentialReply, ResolveCredentialRequest } from '@chatgate/contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ModelRoutesService } from '../tenants/model-routes.service.js';
import { UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { ExchangedTokenCache } from './exchanged-token.cache.js';
import { PoolCodes } from './pool-codes.js';
import { UserCredentialsResolver } from './user-credentials.resolver.js';
import { classifyToken, decodeAccessToken, splitWorkspace } from './token-kind.js';

function refuse(message: string, code: string, status = 401): ResolveCredentialReply {
  const failure: BusError = { status, error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', param: null, code } };
  return { ok: false, failure };
}

/** A stable id for a credential that is not the credential: usage and caches are keyed by it. */
export function credentialIdOf(prefix: string, secret: string): string {
  return `${prefix}_${createHash('sha256').update(secret).digest('hex').slice(0, 24)}`;
}

/** How long the gateway may keep a principal that has no expiry of its own. */
const POOL_PRINCIPAL_TTL_MS = 3_600_000;

/**
 * Who a Bearer belongs to: a pool code (the default tenant's account pool), or a raw ChatGPT token
 * used as the caller's own upstream credential (access tokens as they are; refresh and session
 * tokens exchanged once and cached), or a gateway key or mirror token chatgate issued to a user.
 */
@Injectable()
export class CredentialResolverService {
  private readonly poolCodes: PoolCodes;

  constructor(
    private readonly tenants: TenantsService,
    private readonly exchanged: ExchangedTokenCache,
    private readonly userCredentials: UserCredentialsResolver,
    private readonly routes: ModelRoutesService,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.poolCodes = new PoolCodes(config.AUTHORIZATION);
  }

  /** The principal with its tenant's routing table, when the tenant has one of its own. */
  async resolve(request: ResolveCredentialRequest, now = Date.now()): Promise<ResolveCredentialReply> {
    const reply = await this.resolvePrincipal(request, now);
    if (!reply.ok) return reply;
    const modelRoutes = await this.routes.routesOf(reply.principal.tenantId);
    return modelRoutes ? { ok: true, principal: { ...reply.principal, modelRoutes } } : reply;
  }

  private async resolvePrincipal(request: ResolveCredentialRequest, now: number): Promise<ResolveCredentialReply> {
    if (this.poolCodes.matches(request.bearer)) return { ok: true, principal: this.poolPrincipal(request.bearer, now) };
    const issued = await this.userCredentials.resolve(request.bearer, now);
    if (issued) return issued;

    const { token, accountId: inlineAccountId } = splitWorkspace(request.bearer);
    const accountId = request.accountId ?? inlineAccountId;
    const kind = classifyToken(token);
    switch (kind) {
      case 'access_token':
        return this.accessTokenPrincipal(token, token, accountId, now);
      case 'refresh_token':
      case 'refresh_token_legacy':
      case 'session_token':
        try {
          const { accessToken } = await this.exchanged.accessTokenFor(token, kind === 'session_token' ? 'session' : 'refresh', now);
          return this.accessTokenPrincipal(accessToken, token, accountId, now);
        } catch (err) {
          if (err instanceof UpstreamAuthError && err.kind === 'transient') {
            return refuse('The upstream could not exchange the token right now. Try again shortly.', 'upstream_unavailable', 503);
          }
          return refuse(`The upstream refused the ${kind === 'session_token' ? 'session' : 'refresh'} token ${maskSecret(token)}. Sign in again.`, 'invalid_api_key');
        }
      default:
        return refuse(`Incorrect API key provided: ${maskSecret(token)}. Use a chatgate key, a pool code or a ChatGPT token.`, 'invalid_api_key');
    }
  }

  private poolPrincipal(code: string, now: number): Principal {
    const tenantId = this.tenants.default.id;
    return {
      credentialId: credentialIdOf('pool', code),
      tenantId,
      userId: null,
      userName: null,
      limits: [],
      isolatedSession: false,
      label: 'pool-code',
      upstream: { kind: 'pool', tenantId },
      expiresAt: now + POOL_PRINCIPAL_TTL_MS,
    };
  }

  private accessTokenPrincipal(accessToken: string, presented: string, accountId: string | undefined, now: number): ResolveCredentialReply {
    const claims = decodeAccessToken(accessToken);
    if (!claims) return refuse(`Incorrect API key provided: ${maskSecret(presented)}. The access token cannot be read.`, 'invalid_api_key');
    if (claims.exp !== null && claims.exp * 1000 <= now) {
      return refuse('The ChatGPT access token has expired. Sign in again or send a refresh token.', 'token_expired');
    }
    return {
      ok: true,
      principal: {
        credentialId: credentialIdOf('raw', presented),
        tenantId: this.tenants.default.id,
        userId: null,
        userName: null,
        limits: [],
        isolatedSession: false,
        label: claims.email ?? 'chatgpt-access-token',
        upstream: { kind: 'chatgpt_access_token', accessToken, accountId },
        // A token with no exp is re-checked every hour.
        expiresAt: claims.exp !== null ? claims.exp * 1000 : now + 3_600_000,
      },
    };
  }
}
