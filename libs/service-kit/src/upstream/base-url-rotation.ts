/** How long a base that could not be reached is passed over. */
const UNREACHABLE_COOLDOWN_MS = 30_000;

/**
 * Several interchangeable upstream bases (`CHATGPT_BASE_URL=a,b`): taken in turn, and one that could
 * not be reached is skipped for a while. When every base is cooling, the one that frees up first is
 * tried rather than none.
 */
export class BaseUrlRotation {
  private next = 0;
  private readonly coolingUntil = new Map<string, number>();

  constructor(readonly bases: readonly string[]) {
    if (!bases.length) throw new Error('CHATGPT_BASE_URL names no base');
  }

  /** The bases to try for one request, in order: usable ones from the rotation point, then cooling ones. */
  order(now = Date.now()): string[] {
    const start = this.next;
    this.next = (this.next + 1) % this.bases.length;
    const rotated = [...this.bases.slice(start), ...this.bases.slice(0, start)];
    const usable = rotated.filter((b) => (this.coolingUntil.get(b) ?? 0) <= now);
    const cooling = rotated.filter((b) => (this.coolingUntil.get(b) ?? 0) > now).sort((a, b) => this.coolingUntil.get(a)! - this.coolingUntil.get(b)!);
    return [...usable, ...cooling];
  }

  unreachable(base: string, now = Date.now()): void {
    this.coolingUntil.set(base, now + UNREACHABLE_COOLDOWN_MS);
  }

  reachable(base: string): void {
    this.coolingUntil.delete(base);
  }
}

/** Errors that mean the request never reached the upstream, so another base can take it safely. */
export function neverReachedUpstream(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
}
