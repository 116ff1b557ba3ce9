import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `ADMIN_PASSWORD`, held only as its digest. Candidates are compared digest to digest in constant
 * time, so neither the password's content nor its length leaks through response timing.
 */
export class AdminPassword {
  private readonly digest: Buffer | null;

  constructor(password: string | undefined) {
    this.digest = password ? digest(password) : null;
  }

  /** No password configured: the admin API is off. */
  get enabled(): boolean {
    return this.digest !== null;
  }

  matches(candidate: string): boolean {
    return this.digest !== null && timingSafeEqual(this.digest, digest(candidate));
  }
}
