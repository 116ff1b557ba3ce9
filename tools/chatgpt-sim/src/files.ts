// The upstream's file store (reference §4), for both directions:
// - uploads: files are created per account, their bytes arrive by a PUT to a signed blob URL, they
//   are marked uploaded, and documents are then indexed for retrieval after a delay;
// - generated files (tool turns: images, sandbox files), whose bytes are a pure function of the id,
//   so a test can compute what a download must return.
// Either kind belongs to the account that made it; no other account can see or use it. Downloads
// answer a signed, expiring read URL of the same blob store (`GET /blob/files/<blob>?se&sp=r&sig`).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomAlnum } from './ids.js';

export type UseCase = 'multimodal' | 'my_files' | 'ace_upload';

/** A file a client uploaded. */
export interface SimFile {
  id: string;
  accountId: string;
  name: string;
  /** What the create call declared; the blob must match it. */
  declaredSize: number;
  useCase: UseCase;
  /** The upload URL's signature: the PUT needs it instead of a token. */
  signature: string;
  blob: { bytes: Buffer; sha256: string; contentType: string } | null;
  uploadedAt: number | null;
}

/** A file a tool turn generated. */
export interface GeneratedFile {
  /** file-service and sediment ids, or the sandbox path. */
  kind: 'file' | 'sediment' | 'sandbox';
  id: string;
  name: string;
  contentType: string;
  /** The message that names a sandbox file (interpreter downloads ask for it). */
  messageId: string | null;
  accountId: string;
  conversationId: string;
}

/** What a read URL serves. */
export interface Download {
  name: string;
  contentType: string;
  bytes: Buffer;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the blob store returns for a generated file. */
export function simFileBytes(file: { id: string; contentType: string }): Buffer {
  const body = Buffer.from(`chatgpt-sim generated file ${file.id}\n`);
  return file.contentType === 'image/png' ? Buffer.concat([PNG_SIGNATURE, body]) : body;
}

/** Signed read URLs live this long, like the upstream's storage URLs. */
const READ_URL_TTL_SEC = 300;

export class FileStore {
  private readonly uploads = new Map<string, SimFile>();
  private readonly generated = new Map<string, GeneratedFile>();
  /** Blob names handed out in read URLs, and what they serve. */
  private readonly reads = new Map<string, Download>();
  private readonly signingKey = randomBytes(32);

  constructor(private readonly indexDelayMs = 300) {}

  // --- uploads ---

  create(accountId: string, name: string, declaredSize: number, useCase: UseCase): SimFile {
    const file: SimFile = {
      id: `file-${randomAlnum(24)}`,
      accountId,
      name,
      declaredSize,
      useCase,
      signature: randomBytes(16).toString('hex'),
      blob: null,
      uploadedAt: null,
    };
    this.uploads.set(file.id, file);
    return file;
  }

  get(id: string): SimFile | undefined {
    return this.uploads.get(id);
  }

  /** The file if this account owns it; another account's file does not exist for the caller. */
  owned(id: string, accountId: string): SimFile | undefined {
    const file = this.uploads.get(id);
    return file && file.accountId === accountId ? file : undefined;
  }

  putBlob(file: SimFile, bytes: Buffer, contentType: string): string {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    file.blob = { bytes, sha256, contentType };
    return sha256;
  }

  markUploaded(file: SimFile, now = Date.now()): void {
    file.uploadedAt = now;
  }

  /** Images need no index; documents become searchable indexDelayMs after the uploaded mark. */
  indexStatus(file: SimFile, now = Date.now()): 'pending' | 'success' | null {
    if (file.useCase === 'multimodal') return null;
    if (file.uploadedAt === null) return 'pending';
    return now - file.uploadedAt >= this.indexDelayMs ? 'success' : 'pending';
  }

  /** Whether a message may point at this file: the caller's own, with its bytes in and marked uploaded. */
  usableBy(id: string, accountId: string): SimFile | undefined {
    const file = this.owned(id, accountId);
    return file && file.blob && file.uploadedAt !== null ? file : undefined;
  }

  // --- generated files ---

  add(file: GeneratedFile): void {
    this.generated.set(FileStore.key(file.kind, file.id, file.conversationId), file);
  }

  /** A generated file, only for the account that made it (upstream answers 404 to any other). */
  find(kind: GeneratedFile['kind'], id: string, accountId: string, conversationId: string | null): GeneratedFile | undefined {
    const file = this.generated.get(FileStore.key(kind, id, conversationId));
    return file && file.accountId === accountId ? file : undefined;
  }

  list(): GeneratedFile[] {
    return [...this.generated.values()];
  }

  // --- downloads ---

  /**
   * What `files/<id>/download` serves the caller: a file-service id names either a file the account
   * uploaded (once its bytes are in) or one a tool turn generated for it.
   */
  fileServiceDownload(id: string, accountId: string): Download | undefined {
    const upload = this.owned(id, accountId);
    if (upload) return upload.blob && upload.uploadedAt !== null ? FileStore.uploadDownload(upload.name, upload.blob) : undefined;
    const generated = this.find('file', id, accountId, null);
    return generated ? FileStore.generatedDownload(generated) : undefined;
  }

  static generatedDownload(file: GeneratedFile): Download {
    return { name: file.name, contentType: file.contentType, bytes: simFileBytes(file) };
  }

  static uploadDownload(name: string, blob: NonNullable<SimFile['blob']>): Download {
    return { name, contentType: blob.contentType, bytes: blob.bytes };
  }

  /** A read URL's path and query for the blob store, valid for five minutes; it needs no Authorization. */
  readPath(download: Download): string {
    const blob = `file-${randomAlnum(24)}`;
    this.reads.set(blob, download);
    const se = Math.floor(Date.now() / 1000) + READ_URL_TTL_SEC;
    return `/blob/files/${blob}?se=${se}&sp=r&sv=2020-04-08&sr=b&sig=${this.sign(blob, se)}`;
  }

  /** What a read URL serves, 'expired' past its time, undefined for an unknown blob or a wrong signature. */
  read(blob: string, se: string | null, sig: string | null): Download | 'expired' | undefined {
    const download = this.reads.get(blob);
    if (!download || !se || !sig) return undefined;
    const expected = Buffer.from(this.sign(blob, Number(se)));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return Number(se) < Date.now() / 1000 ? 'expired' : download;
  }

  clear(): void {
    this.uploads.clear();
    this.generated.clear();
    this.reads.clear();
  }

  private sign(blob: string, se: number): string {
    return createHmac('sha256', this.signingKey).update(`${blob}:${se}:r`).digest('base64url');
  }

  // file-service ids are global to the account; sediment and sandbox files live in a conversation.
  private static key(kind: GeneratedFile['kind'], id: string, conversationId: string | null): string {
    return kind === 'file' ? `file:${id}` : `${kind}:${conversationId ?? ''}:${id}`;
  }
}
