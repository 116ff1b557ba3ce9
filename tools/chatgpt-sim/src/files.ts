// Files the simulated turns generated, and the bytes the blob store serves for them. The bytes
// are a pure function of the file id, so a test can compute what a download must return.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the blob store returns for a file. */
export function simFileBytes(file: { id: string; contentType: string }): Buffer {
  const body = Buffer.from(`chatgpt-sim generated file ${file.id}\n`);
  return file.contentType === 'image/png' ? Buffer.concat([PNG_SIGNATURE, body]) : body;
}

export class FileStore {
  private readonly files = new Map<string, GeneratedFile>();
  private readonly blobs = new Map<string, GeneratedFile>();
  private readonly signingKey = randomBytes(32);

  add(file: GeneratedFile): void {
    this.files.set(FileStore.key(file.kind, file.id, file.conversationId), file);
  }

  /** Only the account that made a file may download it (upstream answers 404 to any other). */
  find(kind: GeneratedFile['kind'], id: string, accountId: string, conversationId: string | null): GeneratedFile | undefined {
    const file = this.files.get(FileStore.key(kind, id, conversationId));
    return file && file.accountId === accountId ? file : undefined;
  }

  list(): GeneratedFile[] {
    return [...this.files.values()];
  }

  /** A blob-store URL path valid for five minutes, like the upstream's signed storage URLs. */
  blobPath(file: GeneratedFile): string {
    const blob = randomBytes(12).toString('hex');
    this.blobs.set(blob, file);
    const se = Math.floor(Date.now() / 1000) + 300;
    return `/_sim/blob/${blob}?se=${se}&sig=${this.sign(blob, se)}`;
  }

  blob(blob: string, se: string | null, sig: string | null): GeneratedFile | 'expired' | undefined {
    const file = this.blobs.get(blob);
    if (!file || !se || !sig) return undefined;
    const expected = Buffer.from(this.sign(blob, Number(se)));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return Number(se) < Date.now() / 1000 ? 'expired' : file;
  }

  clear(): void {
    this.files.clear();
    this.blobs.clear();
  }

  private sign(blob: string, se: number): string {
    return createHmac('sha256', this.signingKey).update(`${blob}:${se}`).digest('base64url');
  }

  // file-service ids are global to the account; sediment and sandbox files live in a conversation.
  private static key(kind: GeneratedFile['kind'], id: string, conversationId: string | null): string {
    return kind === 'file' ? `file:${id}` : `${kind}:${conversationId ?? ''}:${id}`;
  }
}
