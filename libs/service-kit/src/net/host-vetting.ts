import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress } from './address-policy.js';
import { hostKey } from './allow-hosts.js';

/** Error code a refused address carries through a socket's lookup, so callers know it from a network failure. */
export const ADDRESS_REFUSED = 'ECHATGATE_ADDRESS_REFUSED';

/**
 * A host a request may not reach: it is, or resolves to, a private, loopback, link-local, metadata or
 * reserved address, or it cannot be resolved. The message names the kind of address, never the
 * address itself (it is shown to whoever configured the URL).
 */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = ADDRESS_REFUSED;
  constructor(message: string) {
    super(message);
  }
}

export function isAddressRefused(err: unknown): err is AddressRefusedError {
  return (err as { code?: unknown } | null)?.code === ADDRESS_REFUSED;
}

export interface HostVetting {
  /** Exact `host:port` pairs the operator trusts although they are private (`parseAllowHosts`). */
  allowHosts: ReadonlySet<string>;
  /** Name resolution; defaults to dns.lookup (all addresses). Injectable for tests. */
  resolve?: (host: string) => Promise<string[]>;
}

async function defaultResolve(host: string): Promise<string[]> {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.map((r) => r.address);
}

function refusal(reason: string, category: string): AddressRefusedError {
  return new AddressRefusedError(`the host is or resolves to a ${reason.replace(/ \(.*\)$/, '')} (${category})`);
}

/** Refuses the address unless it is public. */
function vetAddress(address: string): void {
  const verdict = classifyAddress(address);
  if (!verdict.allowed) throw refusal(verdict.reason, verdict.category);
}

/** Whether a URL's `host:port` is on the operator's allow-list. */
export function isAllowedHost(url: URL, vetting: Pick<HostVetting, 'allowHosts'>): boolean {
  return vetting.allowHosts.has(hostKey(url));
}

/**
 * What can be decided about a URL before resolving its name: an allow-listed `host:port` passes, a
 * literal IP is judged as it stands, `localhost` is refused. Null: a name to resolve and vet.
 */
export function vetLiteralHost(url: URL, vetting: Pick<HostVetting, 'allowHosts'>): 'allowed' | null {
  if (isAllowedHost(url, vetting)) return 'allowed';
  const host = (url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname).replace(/\.$/, '').toLowerCase();
  if (isIP(host)) {
    vetAddress(host);
    return 'allowed';
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw refusal('loopback address', 'loopback');
  return null;
}

/** Resolves the name of a URL's host and refuses it unless every address is public (or the host:port is allow-listed). */
export async function vetUrlHost(url: URL, vetting: HostVetting): Promise<void> {
  if (vetLiteralHost(url, vetting) === 'allowed') return;
  await resolveVetted(url.hostname.replace(/\.$/, ''), vetting.resolve ?? defaultResolve);
}

async function resolveVetted(host: string, resolve: (host: string) => Promise<string[]>): Promise<string[]> {
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new AddressRefusedError('the host name could not be resolved');
  }
  if (addresses.length === 0) throw new AddressRefusedError('the host name could not be resolved');
  for (const address of addresses) vetAddress(address);
  return addresses;
}

/**
 * A socket lookup that resolves the name, refuses it unless every address is public, and hands the
 * socket exactly the vetted addresses: the check and the connection see one resolution, so a DNS
 * answer that changes in between (rebinding) cannot win. For a keep-alive agent, each connection is
 * vetted when it is opened. (Literal IPs never reach a lookup: judge them with vetLiteralHost first.)
 */
export function vettingLookup(resolve: (host: string) => Promise<string[]> = defaultResolve): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveVetted(hostname, resolve).then(
      (addresses) => {
        const dial = addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
        if (options?.all) callback(null, dial);
        else callback(null, dial[0].address, dial[0].family);
      },
      (err: unknown) => callback(err),
    );
  }) as unknown as LookupFunction;
}
