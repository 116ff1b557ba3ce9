import { randomUUID } from 'node:crypto';
import type { Principal, RelayJob, RelayRequest } from '@chatgate/contracts';

/**
 * A relay job for `target` on behalf of `principal`, with a new id: who asks (their upstream
 * credential, tenant, key and user), nothing counted by the relay itself (`usage: null`: the
 * platform and Codex runners publish their own exact usage) and no caller rewrite. A job that counts
 * or rewrites sets those itself.
 */
export function relayJobOf(principal: Principal, target: RelayJob['target'], request: RelayRequest): RelayJob {
  return {
    requestId: randomUUID(),
    target,
    request,
    upstream: principal.upstream,
    tenantId: principal.tenantId,
    credentialId: principal.credentialId,
    userId: principal.userId,
    userName: principal.userName,
    usage: null,
    caller: null,
  };
}

/** A request with a JSON body (or none), as a relay job carries it: no query, no forwarded headers. */
export function jsonRelayRequest(method: RelayRequest['method'], path: string, body?: Record<string, unknown>): RelayRequest {
  return { method, path, query: '', headers: {}, ...(body ? { body: Buffer.from(JSON.stringify(body)).toString('base64') } : {}) };
}
