import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The `AUTHORIZATION` pool codes. Compared as digests in constant time, so neither the content nor
 * the length of a code leaks through timing.
 */
export class PoolCodes {
  private readonly digests: Buffer[];

  constructor(configured: string | undefined) {
    this.digests = (configured ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .map(digest);
  }

  matches(candidate: string): boolean {
    const d = digest(candidate);
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, d) || found;
    return found;
  }
}
