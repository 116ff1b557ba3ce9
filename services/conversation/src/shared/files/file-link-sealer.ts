import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * What a generated-file link names. Sealed (AES-256-GCM), not only signed: the account id and the
 * upstream ids stay hidden from the client, and a token cannot be altered or made up. It holds no
 * secret and no upstream credential.
 */
export const fileLinkPayloadSchema = z.object({
  v: z.literal(1),
  /** Tenant and pool account that made the file; `a` null: the caller's own token (`c` must match). */
  t: z.string(),
  a: z.string().nullable(),
  c: z.string(),
  /** The upstream model slug of the turn (leases are per model). */
  m: z.string(),
  /** `file-service://` id, `sediment://` id, or a `sandbox:` path. */
  k: z.enum(['file', 'sediment', 'sandbox']),
  id: z.string(),
  cv: z.string(),
  ms: z.string(),
  /** Expiry, seconds since the epoch. */
  ex: z.number().int(),
});
export type FileLinkPayload = z.infer<typeof fileLinkPayloadSchema>;

export type OpenedLink = { ok: true; payload: FileLinkPayload } | { ok: false; reason: 'forged' | 'expired' };

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Used only in development and test when FILE_LINK_SECRET is unset (the config refuses that elsewhere). */
export const DEVELOPMENT_FILE_LINK_SECRET = 'chatgate-development-file-link-secret-not-for-production';

export class FileLinkSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    // The secret may be a passphrase: HKDF turns it into a key used for this purpose only.
    this.key = Buffer.from(hkdfSync('sha256', secret, 'chatgate', 'file-link v1', 32));
  }

  seal(payload: FileLinkPayload): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  open(token: string, nowSec = Math.floor(Date.now() / 1000)): OpenedLink {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'forged' };
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return { ok: false, reason: 'forged' };
    let payload: FileLinkPayload;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const json = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      payload = fileLinkPayloadSchema.parse(JSON.parse(json));
    } catch {
      return { ok: false, reason: 'forged' };
    }
    if (payload.ex <= nowSec) return { ok: false, reason: 'expired' };
    return { ok: true, payload };
  }
}
