const SCHEME_FOR_PROXY: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };

/**
 * `VOICE_PROXY_URL` as ChatGPT-Mirror reads it: the host (and port) of a reverse proxy of the
 * WebRTC host, which replaces the host of the room `url`. Given with a scheme, the scheme follows
 * too (http → ws, https → wss), for a proxy that terminates TLS differently. The path and query of
 * the room url are kept: the proxy forwards them as they are.
 */
export class VoiceProxy {
  private readonly host: string;
  private readonly scheme: string | null;

  constructor(proxy: string) {
    const explicit = proxy.includes('://');
    const parsed = new URL(explicit ? proxy : `https://${proxy}`);
    if (!parsed.hostname) throw new Error('VOICE_PROXY_URL names no host');
    this.host = parsed.host;
    this.scheme = explicit ? (SCHEME_FOR_PROXY[parsed.protocol] ?? null) : null;
  }

  /** The room url with the proxy's host; a url that is not scheme://host/... is returned as it came. */
  rewrite(url: string): string {
    const match = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)(.*)$/i.exec(url);
    if (!match) return url;
    const [, scheme, , rest] = match;
    return `${this.scheme ?? scheme}//${this.host}${rest}`;
  }
}
