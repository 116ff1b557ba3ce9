// The file endpoints (reference §4), one blob store for both directions.
// Upload: POST /backend-api/files, PUT <upload_url> (the blob store, no Authorization),
// POST /backend-api/files/<id>/uploaded, GET /backend-api/files/<id>.
// Download: files/<id>/download (an uploaded or generated file-service file),
// conversation/<id>/attachment/<id>/download (sediment), conversation/<id>/interpreter/download
// (sandbox files); each answers `{download_url}`, a signed read URL of the blob store that needs no
// Authorization and expires. Only the account that made a file gets it; anyone else gets 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import type { SimContext } from '../context.js';
import { FileStore, type Download, type GeneratedFile, type UseCase } from '../files.js';
import { header, HttpError, readJsonObject, sendJson } from '../http.js';

const USE_CASES: readonly UseCase[] = ['multimodal', 'my_files', 'ace_upload'];
/** Larger than anything the gateway should send; a blob over it is refused like an oversized PUT. */
const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/** A download request the path names, or null when the path is none of them. */
export type FileRoute = { kind: GeneratedFile['kind']; id: string | null; conversationId: string | null };

const FILE_SERVICE = /^\/backend-api\/files\/(?:download\/([^/]+)|([^/]+)\/download)$/;
const ATTACHMENT = /^\/backend-api\/conversation\/([^/]+)\/attachment\/([^/]+)\/download$/;
const INTERPRETER = /^\/backend-api\/conversation\/([^/]+)\/interpreter\/download$/;
/** The blob store: PUT with an upload URL, GET with a read URL. */
export const BLOB = /^\/blob\/files\/(file-[A-Za-z0-9]+)$/;

export function fileRouteOf(path: string): FileRoute | null {
  let m = FILE_SERVICE.exec(path);
  if (m) return { kind: 'file', id: decodeURIComponent(m[1] ?? m[2]), conversationId: null };
  m = ATTACHMENT.exec(path);
  if (m) return { kind: 'sediment', id: decodeURIComponent(m[2]), conversationId: decodeURIComponent(m[1]) };
  m = INTERPRETER.exec(path);
  if (m) return { kind: 'sandbox', id: null, conversationId: decodeURIComponent(m[1]) };
  return null;
}

function originOf(req: IncomingMessage): string {
  return `http://${header(req, 'host') ?? '127.0.0.1'}`;
}

export async function createFileRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
  const body = await readJsonObject(req);
  const name = body.file_name;
  const size = body.file_size;
  const useCase = body.use_case;
  if (typeof name !== 'string' || name === '') throw new HttpError(422, { detail: 'file_name is required' });
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) throw new HttpError(422, { detail: 'file_size must be a positive integer' });
  if (typeof useCase !== 'string' || !(USE_CASES as readonly string[]).includes(useCase)) {
    throw new HttpError(422, { detail: `use_case must be one of ${USE_CASES.join(', ')}` });
  }
  const file = ctx.files.create(caller.account.accountId, name, size, useCase as UseCase);
  ctx.stats.fileCreated();
  sendJson(res, 200, { status: 'success', file_id: file.id, upload_url: `${originOf(req)}/blob/files/${file.id}?sig=${file.signature}&sv=2020-04-08&sr=b` });
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BLOB_BYTES) {
        reject(new HttpError(413, { detail: 'Blob too large' }));
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/**
 * The blob store's PUT. Like an Azure SAS URL it needs the signature, BlockBlob and a version header;
 * it refuses any Authorization or authkey header: the account's token must never reach the blob store.
 */
export async function blobPutRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
  const file = ctx.files.get(fileId);
  const sig = new URL(req.url ?? '/', 'http://sim').searchParams.get('sig');
  if (!file || sig !== file.signature) throw new HttpError(403, { detail: 'AuthenticationFailed: signature mismatch' });
  if (header(req, 'authorization') || header(req, 'authkey')) throw new HttpError(400, { detail: 'A blob PUT carries no Authorization or authkey header' });
  if (header(req, 'x-ms-blob-type') !== 'BlockBlob') throw new HttpError(400, { detail: 'MissingRequiredHeader: x-ms-blob-type must be BlockBlob' });
  if (!header(req, 'x-ms-version')) throw new HttpError(400, { detail: 'MissingRequiredHeader: x-ms-version' });
  const contentType = header(req, 'content-type');
  if (!contentType) throw new HttpError(400, { detail: 'MissingRequiredHeader: content-type' });
  const bytes = await readRaw(req);
  if (bytes.length !== file.declaredSize) throw new HttpError(400, { detail: `The blob has ${bytes.length} bytes; the file was created with file_size ${file.declaredSize}` });
  const sha256 = ctx.files.putBlob(file, bytes, contentType);
  ctx.stats.blobPut({ fileId: file.id, accountId: file.accountId, sha256, size: bytes.length, contentType, name: file.name });
  res.writeHead(201, { 'content-length': 0, etag: `"${sha256.slice(0, 16)}"` });
  res.end();
}

export async function fileUploadedRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller, fileId: string): Promise<void> {
  await readJsonObject(req);
  const file = ctx.files.owned(fileId, caller.account.accountId);
  if (!file) throw new HttpError(404, { detail: 'File not found' });
  if (!file.blob) throw new HttpError(400, { detail: 'The file has no content yet: PUT it to its upload_url first' });
  ctx.files.markUploaded(file);
  sendJson(res, 200, { status: 'success', download_url: `${originOf(req)}${ctx.files.readPath(FileStore.uploadDownload(file.name, file.blob))}` });
}

export function fileStatusRoute(ctx: SimContext, res: ServerResponse, caller: Caller, fileId: string): void {
  const file = ctx.files.owned(fileId, caller.account.accountId);
  if (!file) throw new HttpError(404, { detail: 'File not found' });
  ctx.stats.fileStatusPolled();
  sendJson(res, 200, {
    id: file.id,
    name: file.name,
    size: file.blob?.bytes.length ?? file.declaredSize,
    mime_type: file.blob?.contentType ?? null,
    use_case: file.useCase,
    upload_status: file.uploadedAt === null ? 'pending' : 'success',
    retrieval_index_status: ctx.files.indexStatus(file),
  });
}

export function fileDownloadRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, caller: Caller, route: FileRoute): void {
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  const accountId = caller.account.accountId;
  let download: Download | undefined;
  if (route.kind === 'sandbox') {
    const path = query.get('sandbox_path');
    const file = path ? ctx.files.find('sandbox', path, accountId, route.conversationId) : undefined;
    // The interpreter names the message that linked the file; another message has no such file.
    if (file && file.messageId === query.get('message_id')) download = FileStore.generatedDownload(file);
  } else if (route.kind === 'file') {
    download = ctx.files.fileServiceDownload(route.id ?? '', accountId);
  } else {
    const file = ctx.files.find(route.kind, route.id ?? '', accountId, route.conversationId);
    if (file) download = FileStore.generatedDownload(file);
  }
  if (!download) {
    sendJson(res, 404, { detail: 'File not found' });
    return;
  }
  sendJson(res, 200, {
    status: 'success',
    download_url: `${originOf(req)}${ctx.files.readPath(download)}`,
    file_name: download.name,
    metadata: {},
    creation_time: new Date().toISOString(),
  });
}

/** The blob store's GET with a read URL: the bytes, no Authorization needed. */
export function blobGetRoute(ctx: SimContext, req: IncomingMessage, res: ServerResponse, blob: string): void {
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  const download = query.get('sp') === 'r' ? ctx.files.read(blob, query.get('se'), query.get('sig')) : undefined;
  if (download === undefined || download === 'expired') {
    // Azure-style blob store errors are XML; nobody parses them.
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>');
    return;
  }
  res.writeHead(200, {
    'content-type': download.contentType,
    'content-length': download.bytes.length,
    // Uploaded names can be anything: RFC 5987 keeps the header valid.
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(download.name)}`,
  });
  res.end(download.bytes);
}
