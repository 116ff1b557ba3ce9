import { All, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountsCheckPath, RELAY_JOBS, requestFailure, unknownUrl, WEB_RELAY_PATHS, type Principal, type RelayJob } from '@chatgate/contracts';
import { bearerFrom } from '../shared/http/bearer.js';
import { CredentialResolver } from '../shared/credentials/credential-resolver.service.js';
import { ApiError } from '../shared/errors/api-error.js';
import { GatewayJobs } from '../shared/jobs/gateway-jobs.js';
import { headerValue, workspaceOf } from '../shared/http/request-input.js';
import { upstreamFor } from '../shared/routing/upstream-for.js';
import { LimitGate } from '../shared/limits/limit-gate.js';
import { RelayResponder } from '../shared/relay/relay-responder.js';
import { relayJobOf } from '../shared/relay/relay-job.js';
import { isRefusedWebPath, queryOf, refuseUnplainPath, webPathOf } from './web-paths.js';
import { webConversationSchema, type WebConversation } from './web-conversation.schema.js';

/** Request headers the upstream may see; the credential, cookies and anything identifying the client stay here. */
const FORWARDED = ['accept', 'accept-language', 'content-type', 'oai-language'];

function forwardedHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const v = headerValue(req.headers[name]);
    if (v) out[name] = v;
  }
  return out;
}

const unknownWebPath = () => ApiError.fromBus(unknownUrl("Unknown request URL. chatgate relays the web protocol's conversation, me, models and accounts/check paths."));

const refused = () => ApiError.fromBus(requestFailure('path_refused', 'chatgate does not relay account-management or payment requests to the upstream accounts.'));

/**
 * The ChatGPT web protocol for clients that speak it (browser extensions with a custom backend URL,
 * go-chatgpt-api scripts): a chatgate credential as the Bearer, an account leased as for
 * /v1/chat/completions, the upstream stream relayed byte for byte (both encodings). Account answers
 * name the gateway user, never the account. `/chatgpt/<x>` is the same as `/backend-api/<x>`.
 */
@Controller()
export class WebProtocolController {
  constructor(
    private readonly credentials: CredentialResolver,
    private readonly limits: LimitGate,
    private readonly responder: RelayResponder,
    private readonly jobs: GatewayJobs,
  ) {}

  @Post(['backend-api/conversation', 'backend-api/f/conversation', 'chatgpt/conversation', 'chatgpt/f/conversation'])
  async conversation(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    refuseUnplainPath(req.url);
    const bearer = bearerFrom(req.headers.authorization);
    const body = parseConversation(req.body);
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    const model = body.model ?? 'auto';
    // The web protocol is ChatGPT's own: routing sends it there whatever the table says of the model.
    const upstream = upstreamFor(principal, model, 'web');
    // The body goes up as the client wrote it (re-serialised from the parsed JSON: same fields, same order).
    // The upstream path is the route that matched, never the URL as the client spelled it.
    const path = routeOf(req).endsWith('/f/conversation') ? WEB_RELAY_PATHS.conversationF : WEB_RELAY_PATHS.conversation;
    const job = this.jobFor(req, principal, { method: 'POST', path, body: Buffer.from(JSON.stringify(req.body)) }, { kind: 'chat', model });
    const payload = this.jobs.encode(RELAY_JOBS, job);
    // Before the upstream: a refused request gets 429 here and never reaches a worker.
    // The web protocol names upstream slugs itself: no mapping, but limits written as client names count them.
    await this.limits.check(principal, { model, viaTable: true }, job.requestId, upstream);
    return this.responder.respond(job, payload, principal, reply);
  }

  @Get(['backend-api/me', 'backend-api/models', 'chatgpt/me', 'chatgpt/models'])
  async account(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    refuseUnplainPath(req.url);
    return this.accountAnswer(req, reply, routeOf(req).endsWith('/me') ? WEB_RELAY_PATHS.me : WEB_RELAY_PATHS.models);
  }

  @Get(['backend-api/accounts/check/:version', 'chatgpt/accounts/check/:version'])
  async accountsCheck(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('version') version: string): Promise<void> {
    refuseUnplainPath(req.url);
    // A version is one plain segment (`v4-2023-04-27`): nothing that could step to another upstream path once decoded.
    const path = accountsCheckPath(version);
    if (!path) throw unknownWebPath();
    return this.accountAnswer(req, reply, path);
  }

  private async accountAnswer(req: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    const bearer = bearerFrom(req.headers.authorization);
    const principal = await this.credentials.resolve(bearer, workspaceOf(req), req.ip);
    const job = this.jobFor(req, principal, { method: 'GET', path }, null);
    return this.responder.respond(job, this.jobs.encode(RELAY_JOBS, job), principal, reply);
  }

  /** Everything else under the web backend: account management and payments are refused, the rest is not served. */
  @All(['backend-api/*', 'chatgpt/*'])
  other(@Req() req: FastifyRequest): never {
    refuseUnplainPath(req.url);
    const path = webPathOf(req.url);
    if (path !== null && isRefusedWebPath(path)) throw refused();
    throw unknownWebPath();
  }

  private jobFor(req: FastifyRequest, principal: Principal, request: { method: 'GET' | 'POST'; path: string; body?: Buffer }, usage: RelayJob['usage']): RelayJob {
    // The caller's own ChatGPT token: the account is theirs, so its answers go back unchanged.
    const own = principal.upstream.kind === 'chatgpt_access_token';
    return {
      ...relayJobOf(principal, 'chatgpt_web', { method: request.method, path: request.path, query: queryOf(req.url), headers: forwardedHeaders(req), ...(request.body ? { body: request.body.toString('base64') } : {}) }),
      // The worker checks a named conversation against the records: an isolated user's only their own.
      isolatedSession: principal.isolatedSession,
      usage,
      caller: own ? null : { id: principal.userId ?? principal.credentialId, name: principal.userName ?? principal.label },
    };
  }
}

/** The route that matched (`/backend-api/f/conversation`, under API_PREFIX too), whatever escapes the URL used to reach it. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? '';
}

function parseConversation(raw: unknown): WebConversation {
  const parsed = webConversationSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.length ? issue.path.join('.') : null;
  throw ApiError.invalidRequest(raw && typeof raw === 'object' ? `Invalid conversation request: ${param ?? 'body'}: ${issue?.message ?? 'invalid'}` : 'The body must be a JSON object (a ChatGPT web conversation request).', param, 'invalid_request');
}
