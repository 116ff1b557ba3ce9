import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  /** PEM files: the CA, and the certificate and key it signed for 127.0.0.1. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1 (openssl, as Debian ships it), valid for a day.
 * Null when openssl is not there: a test then runs without TLS and says so.
 */
export function makeTlsMaterial(): TlsMaterial | null {
  const dir = mkdtempSync(join(tmpdir(), 'chatgate-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  try {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca-key.pem'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=chatgate test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server-key.pem'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
    // nats.js names the server `localhost` in the TLS handshake when it was given an IP address.
    writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca-key.pem'), '-CAcreateserial', '-out', at('server.pem'), '-days', '1', '-extfile', at('san.ext'));
  } catch {
    return null;
  }
  return { caFile: at('ca.pem'), certFile: at('server.pem'), keyFile: at('server-key.pem') };
}
