import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** How long a login-free link keeps the browser signed in; the user can open the link again. */
export const PAGE_SESSION_TTL_MS = 12 * 3_600_000;
/** Bounds the memory a flood of link openings can take: the oldest sessions go first. */
const MAX_SESSIONS = 10_000;

interface PageSession {
  /** The user's credential, kept only here: the cookie carries an opaque handle, never the token. */
  bearer: string;
  expiresAt: number;
}

/**
 * Browser sessions of the user page, in this replica's memory. The credential is resolved again on
 * every page view, so a revoked or logged-out token ends the session at once. A restart (or another
 * replica) forgets the session; opening the link again signs the browser back in.
 */
@Injectable()
export class PageSessions {
  private readonly sessions = new Map<string, PageSession>();
  /** The clock; tests move it. */
  now: () => number = Date.now;

  open(bearer: string): string {
    const handle = randomBytes(32).toString('base64url');
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(handle, { bearer, expiresAt: this.now() + PAGE_SESSION_TTL_MS });
    return handle;
  }

  bearerOf(handle: string | undefined): string | undefined {
    if (!handle) return undefined;
    const session = this.sessions.get(handle);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(handle);
      return undefined;
    }
    return session.bearer;
  }

  close(handle: string): void {
    this.sessions.delete(handle);
  }
}
