import { createHash } from 'node:crypto';
import { arch, release, type } from 'node:os';

/** How chatgate names itself to the Codex backend (`CODEX_ORIGINATOR`, `CODEX_CLIENT_VERSION`). */
export interface CodexClientName {
  originator: string;
  version: string;
}

/** Who a Codex request is made as: the account's access token and its ChatGPT account (workspace) id. */
export interface CodexIdentity {
  accessToken: string;
  chatgptAccountId: string | null;
}

export interface PlatformInfo {
  osType: string;
  osVersion: string;
  arch: string;
}

/** Node's names for the machine, in the words Codex's own User-Agent uses (`x86_64`, `arm64`). */
export function thisPlatform(): PlatformInfo {
  const machine = arch();
  return { osType: type(), osVersion: release(), arch: machine === 'x64' ? 'x86_64' : machine };
}

/**
 * Codex's User-Agent format (reference §1.2, `get_codex_user_agent`): `<originator>/<version> (<os>
 * <os version>; <arch>) <terminal>`. The terminal slot names chatgate, so the backend's operators see
 * honestly who is calling; nothing here imitates a browser.
 */
export function codexUserAgent(name: CodexClientName, platform: PlatformInfo = thisPlatform()): string {
  const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '').trim() || 'unknown';
  return `${name.originator}/${name.version} (${clean(platform.osType)} ${clean(platform.osVersion)}; ${clean(platform.arch)}) chatgate`;
}

/**
 * The headers a legitimate Codex client sends (reference §1.2): the token, the account id (required in
 * practice), originator, version, session id, `OpenAI-Beta: responses=experimental` (Codex sent it;
 * whether it is still required is unknown, and it costs nothing), the accept type, and, with a body,
 * a content type of exactly `application/json` (the backend is strict about it).
 */
export function codexHeaders(
  identity: CodexIdentity,
  name: CodexClientName,
  userAgent: string,
  opts: { accept: 'text/event-stream' | 'application/json'; sessionId?: string; hasBody: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${identity.accessToken}`,
    originator: name.originator,
    version: name.version,
    'user-agent': userAgent,
    'openai-beta': 'responses=experimental',
    accept: opts.accept,
  };
  if (identity.chatgptAccountId) headers['chatgpt-account-id'] = identity.chatgptAccountId;
  if (opts.sessionId) headers.session_id = opts.sessionId;
  if (opts.hasBody) headers['content-type'] = 'application/json';
  return headers;
}

/** A UUID-shaped id derived from `parts` (Codex's session ids are UUIDs): stable for the same conversation. */
export function derivedUuid(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  const h = hash.digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
