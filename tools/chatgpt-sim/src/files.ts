// The upstream's file store (reference §4): files are created per account, their bytes arrive by a
// PUT to a signed blob URL, they are marked uploaded, and documents are then indexed for retrieval
// after a delay. A file belongs to the account that created it; no other account can see or use it.
import { createHash, randomBytes } from 'node:crypto';
import { randomAlnum } from './ids.js';

export type UseCase = 'multimodal' | 'my_files' | 'ace_upload';

export interface SimFile {
  id: string;
  accountId: string;
  name: string;
  /** What the create call declared; the blob must match it. */
  declaredSize: number;
  useCase: UseCase;
  /** The blob URL's signature: the PUT needs it instead of a token. */
  signature: string;
  blob: { bytes: Buffer; sha256: string; contentType: string } | null;
  uploadedAt: number | null;
}

export class FileStore {
  private readonly files = new Map<string, SimFile>();

  constructor(private readonly indexDelayMs: number) {}

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
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): SimFile | undefined {
    return this.files.get(id);
  }

  /** The file if this account owns it; another account's file does not exist for the caller. */
  owned(id: string, accountId: string): SimFile | undefined {
    const file = this.files.get(id);
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

  clear(): void {
    this.files.clear();
  }
}
