import type { UploadedFile, UploadResult } from '../upstream/chatgpt-files.client.js';

/**
 * Which bytes an account already holds upstream, so the same bytes are not uploaded twice: keyed
 * by (account, sha256 of the bytes). A file id stays valid for its account across that account's
 * conversations, so this covers "within a conversation" and the turns that follow; a file uploaded
 * with one account is invisible to another, so a rotation to another account uploads again.
 *
 * Kept in process (a worker has no Redis): another replica uploads once more, which costs one upload,
 * never a wrong answer. Concurrent uploads of the same bytes for one account share one flight.
 */
export class UploadCache {
  private readonly done = new Map<string, { file: UploadedFile; expiresAt: number }>();
  private readonly flying = new Map<string, Promise<UploadResult>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(account: string, sha256: string): string {
    return `${account}\u0000${sha256}`;
  }

  /** The account's upload of these bytes: remembered, in flight, or started now with `upload`. */
  async getOrUpload(account: string, sha256: string, upload: () => Promise<UploadResult>): Promise<UploadResult & { reused?: boolean }> {
    const key = UploadCache.key(account, sha256);
    const hit = this.done.get(key);
    if (hit && hit.expiresAt > this.now()) return { ok: true, file: hit.file, reused: true };
    if (hit) this.done.delete(key);
    const inFlight = this.flying.get(key);
    if (inFlight) return inFlight;
    const flight = upload().finally(() => this.flying.delete(key));
    this.flying.set(key, flight);
    const result = await flight;
    // Only successes are remembered: a failed upload is tried afresh next time.
    if (result.ok) this.remember(key, result.file);
    return result;
  }

  private remember(key: string, file: UploadedFile): void {
    if (this.done.size >= this.maxEntries) {
      // Oldest first (Map keeps insertion order): a bounded cache, not an exact LRU.
      const oldest = this.done.keys().next().value;
      if (oldest !== undefined) this.done.delete(oldest);
    }
    this.done.set(key, { file, expiresAt: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.done.size;
  }
}
