import { createServer, type Server } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@chatgate/service-kit';
import type { AuthConfig } from '../auth.config.js';
import { IssuerKeys } from './issuer-keys.js';

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Signed by nobody: enough to make the verifier fetch the key set it names. */
const token = `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url({ iss: 'https://auth.openai.com' })}.c2ln`;

describe('IssuerKeys', () => {
  it('reads an endless key set no further than its limit, and refuses tokens as unverifiable rather than buffering it', async () => {
    const CHUNK = Buffer.alloc(64 * 1024, 0x20);
    const OFFERED = 1024; // 64 MiB
    let written = 0;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const more = () => {
        while (written < OFFERED && !res.destroyed) {
          written++;
          if (!res.write(CHUNK)) return void res.once('drain', more);
        }
        res.end(']}');
      };
      res.once('close', closed);
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const keys = new IssuerKeys({ CHATGPT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` } as AuthConfig, quiet);
      expect(await keys.check(token)).toEqual({ ok: false, reason: 'keys_unavailable' });
      await done;
      expect(written).toBeLessThan(OFFERED / 4);
    } finally {
      server.close();
    }
  });
});
