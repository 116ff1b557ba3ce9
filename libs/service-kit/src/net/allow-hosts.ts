/** `host:port` as allow-lists spell it (lower case, IPv6 without brackets, no trailing dot, default ports written out). */
export function hostKey(url: URL): string {
  const host = (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname).toLowerCase().replace(/\.$/, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${host}:${port}`;
}

/**
 * Parses an operator's allow-list of exact `host:port` pairs, comma-separated (UPLOAD_ALLOW_HOSTS,
 * PLATFORM_ALLOW_HOSTS); an entry without a port, or with anything more, is a configuration error
 * naming the setting.
 */
export function parseAllowHosts(raw: string, setting = 'UPLOAD_ALLOW_HOSTS'): Set<string> {
  const hosts = new Set<string>();
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch {
      throw new Error(`${setting}: "${entry}" is not a host:port pair`);
    }
    if (!url.port || url.pathname !== '/' || url.username) throw new Error(`${setting}: "${entry}" must be exactly host:port`);
    hosts.add(hostKey(url));
  }
  return hosts;
}
