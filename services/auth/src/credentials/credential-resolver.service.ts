import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { maskSecret, rawTokensEnabled } from '@chatgate/config';
import { credentialFailure, type BusError, type Principal, type ResolveCredentialReply, type ResolveCredentialRequest } from '@chatgate/contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ModelRoutesService } from '../tenants/model-routes.service.js';
import { UpstreamAuthError } from '../upstream/chatgpt-auth.client.js';
import { ExchangedTokenCache } from './exchanged-token.cache.js';
import { PoolCodes } from './pool-codes.js';
import { UserCredentialsResolver } from './user-credentials.resolver.js';
import { IssuerKeys } from './issuer-keys.js';
import { RefusedBearers, REFUSED_BEARER_TTL_MS } from './refused-bearers.js';
import { classifyToken, decodeAccessToken, splitWorkspace } from './token-kind.js';

function refuse(message: string, code: string, status = 401): ResolveCredentialReply & { ok: false } {
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
 * Who a Bearer belongs to: a pool code (the default tenant's account pool), a gateway key or mirror
 * token chatgate issued to a user, or, with RAW_TOKENS on, a raw ChatGPT token used as the caller's own
 * upstream credential (access tokens verified against the issuer's keys; refresh and session tokens
 * exchanged once and cached). A Bearer that is none of these is refused, and the refusal is kept
 * (RefusedBearers) so repeating it costs no upstream call and no database read for a while.
 */
@Injectable()
export class CredentialResolverService {
  private readonly poolCodes: PoolCodes;
  private readonly rawTokens: boolean;

  constructor(
    private readonly tenants: TenantsService,
    private readonly exchanged: ExchangedTokenCache,
    private readonly userCredentials: UserCredentialsResolver,
    private readonly routes: ModelRoutesService,
    private readonly issuerKeys: IssuerKeys,
    private readonly refused: RefusedBearers,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.poolCodes = new PoolCodes(config.AUTHORIZATION);
    this.rawTokens = rawTokensEnabled(config);
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

    const kept = await this.refused.find(request.bearer);
    if (kept) return { ok: false, failure: kept.failure, refusedForMs: kept.remainingMs };
    const reply = await this.resolveRaw(request, now);
    // Only refusals of what the Bearer is (never transient ones) are kept.
    if (!reply.ok && reply.failure.status === 401) {
      await this.refused.remember(request.bearer, reply.failure);
      return { ...reply, refusedForMs: REFUSED_BEARER_TTL_MS };
    }
    return reply;
  }

  /** A Bearer that is no issued credential: a raw ChatGPT token when they are accepted, else unknown. */
  private async resolveRaw(request: ResolveCredentialRequest, now: number): Promise<ResolveCredentialReply> {
    const { token, accountId: inlineAccountId } = splitWorkspace(request.bearer);
    const kind = this.rawTokens ? classifyToken(token) : 'unknown';
    const accountId = request.accountId ?? inlineAccountId;
    switch (kind) {
      case 'access_token':
        return this.verifiedAccessTokenPrincipal(token, accountId, now);
      case 'refresh_token':
      case 'refresh_token_legacy':
      case 'session_token':
        try {
          const exchanged = request.throttledForMs
            ? await this.exchanged.cachedAccessToken(token, now)
            : await this.exchanged.accessTokenFor(token, kind === 'session_token' ? 'session' : 'refresh', now);
          if (!exchanged) return throttled(request.throttledForMs!);
          // Straight from the issuer's token endpoint: its expiry is the exchange's, never assumed.
          return this.accessTokenPrincipal(exchanged.accessToken, token, accountId, exchanged.expiresAt, now);
        } catch (err) {
          if (err instanceof UpstreamAuthError && err.kind === 'transient') {
            return refuse('The upstream could not exchange the token right now. Try again shortly.', 'upstream_unavailable', 503);
          }
          return refuse(`The upstream refused the ${kind === 'session_token' ? 'session' : 'refresh'} token ${maskSecret(token)}. Sign in again.`, 'invalid_api_key');
        }
      default:
        return refuse(
          `Incorrect API key provided: ${maskSecret(token)}. Use a chatgate key or a pool code${this.rawTokens ? ' or a ChatGPT token' : ''}.`,
          'invalid_api_key',
        );
    }
  }

  private async verifiedAccessTokenPrincipal(token: string, accountId: string | undefined, now: number): Promise<ResolveCredentialReply> {
    const check = await this.issuerKeys.check(token, now);
    if (!check.ok) {
      switch (check.reason) {
        case 'expired':
          return refuse('The ChatGPT access token has expired. Sign in again or send a refresh token.', 'token_expired');
        case 'keys_unavailable':
          return refuse('The access token cannot be verified right now (the issuer\'s keys are unreachable). Try again shortly.', 'upstream_unavailable', 503);
        case 'invalid':
          return refuse(`Incorrect API key provided: ${maskSecret(token)}. It is not a valid ChatGPT access token.`, 'invalid_api_key');
        default:
          return unhandled(check.reason);
      }
    }
    return this.accessTokenPrincipal(token, token, accountId, (check.claims.exp as number) * 1000, now);
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

  private accessTokenPrincipal(accessToken: string, presented: string, accountId: string | undefined, expiresAt: number, now: number): ResolveCredentialReply {
    const claims = decodeAccessToken(accessToken);
    if (!claims) return refuse(`Incorrect API key provided: ${maskSecret(presented)}. The access token cannot be read.`, 'invalid_api_key');
    if (expiresAt <= now) return refuse('The ChatGPT access token has expired. Sign in again or send a refresh token.', 'token_expired');
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
        expiresAt,
      },
    };
  }
}

/** A client that sent too many refused Bearers asked for a token exchange: none is made for it meanwhile. */
function throttled(waitMs: number): ResolveCredentialReply {
  const seconds = Math.ceil(waitMs / 1000);
  return { ok: false, failure: credentialFailure('too_many_invalid_keys', `Too many invalid API keys from this address; try again in ${seconds} seconds.`, { retryAfterSec: seconds }) };
}

function unhandled(reason: never): never {
  throw new Error(`unhandled access token check: ${String(reason)}`);
}
