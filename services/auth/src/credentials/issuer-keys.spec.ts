import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@chatgate/service-kit';
import { startEndlessAnswer } from '@chatgate/testing';
import type { AuthConfig } from '../auth.config.js';
import { IssuerKeys } from './issuer-keys.js';

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Signed by nobody: enough to make the verifier fetch the key set it names. */
const token = `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url({ iss: 'https://auth.openai.com' })}.c2ln`;

describe('IssuerKeys', () => {
  it('reads an endless key set no further than its limit, and refuses tokens as unverifiable rather than buffering it', async () => {
    const answer = await startEndlessAnswer('{"keys":[', ']}');
    try {
      const keys = new IssuerKeys({ CHATGPT_JWKS_URL: `${answer.url}/jwks.json` } as AuthConfig, quiet);
      expect(await keys.check(token)).toEqual({ ok: false, reason: 'keys_unavailable' });
      await answer.closed;
      expect(answer.written()).toBeLessThan(answer.offered / 4);
    } finally {
      await answer.stop();
    }
  });
});
