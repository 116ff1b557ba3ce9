// `encrypted_content` of reasoning and compaction items: opaque to clients, but signed with the
// simulator's secret, so a replayed item that was altered (or made up) is refused the way the real
// backend refuses content it cannot decrypt. The payload is readable by the simulator only in the
// sense that it checks the signature; tests treat the string as opaque.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SealKind = 'reasoning' | 'compaction';

// Fernet tokens (what the real values look like) start with this version byte, base64url-encoded.
const PREFIX = 'gAAAAA';

export class Sealer {
  constructor(private readonly secret: string) {}

  seal(kind: SealKind, payload: Record<string, unknown>): string {
    const body = JSON.stringify(payload);
    const sig = this.mac(kind, body);
    return PREFIX + Buffer.from(JSON.stringify({ k: kind, p: body, s: sig })).toString('base64url');
  }

  /** The payload, or null when the value was not sealed by this simulator as `kind`. */
  open(kind: SealKind, value: unknown): Record<string, unknown> | null {
    if (typeof value !== 'string' || !value.startsWith(PREFIX)) return null;
    try {
      const outer = JSON.parse(Buffer.from(value.slice(PREFIX.length), 'base64url').toString('utf8')) as { k?: unknown; p?: unknown; s?: unknown };
      if (outer.k !== kind || typeof outer.p !== 'string' || typeof outer.s !== 'string') return null;
      const expected = Buffer.from(this.mac(kind, outer.p));
      const given = Buffer.from(outer.s);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      return JSON.parse(outer.p) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  private mac(kind: string, body: string): string {
    return createHmac('sha256', this.secret).update(`${kind}\n${body}`).digest('base64url');
  }
}
