// Downloads of generated files (reference §4): each answers `{download_url}`, a signed blob-store
// URL that needs no Authorization, served by GET /_sim/blob/<blob>. Only the account that made a
// file gets it; anyone else gets 404, as upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { simFileBytes, type GeneratedFile } from '../files.js';
import { header, sendJson } from '../http.js';

/** A download request the path names, or null when the path is none of them. */
export type FileRoute = { kind: GeneratedFile['kind']; id: string | null; conversationId: string | null };

const FILE_SERVICE = /^\/backend-api\/files\/(?:download\/([^/]+)|([^/]+)\/download)$/;
const ATTACHMENT = /^\/backend-api\/conversation\/([^/]+)\/attachment\/([^/]+)\/download$/;
const INTERPRETER = /^\/backend-api\/conversation\/([^/]+)\/interpreter\/download$/;
export const BLOB = /^\/_sim\/blob\/([0-9a-f]+)$/;

export function fileRouteOf(path: string): FileRoute | null {
  let m = FILE_SERVICE.exec(path);
  if (m) return { kind: 'file', id: decodeURIComponent(m[1] ?? m[2]), conversationId: null };
  m = ATTACHMENT.exec(path);
  if (m) return { kind: 'sediment', id: decodeURIComponent(m[2]), conversationId: decodeURIComponent(m[1]) };
  m = INTERPRETER.exec(path);
  if (m) return { kind: 'sandbox', id: null, conversationId: decodeURIComponent(m[1]) };
  return null;
}

function baseUrl(req: IncomingMessage): string {
  return `http://${header(req, 'host') ?? '127.0.0.1'}`;
}

export function fileDownloadRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller, route: FileRoute): void {
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  let file: GeneratedFile | undefined;
  if (route.kind === 'sandbox') {
    const path = query.get('sandbox_path');
    file = path ? ctx.files.find('sandbox', path, caller.account.accountId, route.conversationId) : undefined;
    // The interpreter names the message that linked the file; another message has no such file.
    if (file && file.messageId !== query.get('message_id')) file = undefined;
  } else {
    file = ctx.files.find(route.kind, route.id ?? '', caller.account.accountId, route.conversationId);
  }
  if (!file) {
    sendJson(res, 404, { detail: 'File not found' });
    return;
  }
  sendJson(res, 200, {
    status: 'success',
    download_url: `${baseUrl(req)}${ctx.files.blobPath(file)}`,
    file_name: file.name,
    metadata: {},
    creation_time: new Date().toISOString(),
  });
}

export function blobRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, blob: string): void {
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  const file = ctx.files.blob(blob, query.get('se'), query.get('sig'));
  if (file === undefined || file === 'expired') {
    // Azure-style blob store errors are XML; nobody parses them.
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>');
    return;
  }
  const bytes = simFileBytes(file);
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': bytes.length,
    'content-disposition': `attachment; filename="${file.name}"`,
  });
  res.end(bytes);
}
