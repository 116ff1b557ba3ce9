/** Bytes sent inline: a `data:` URL (base64 or percent-encoded) or bare base64, as OpenAI clients send them. */
export interface InlineData {
  bytes: Buffer;
  /** The media type a data: URL declared (the bytes decide in the end), null for bare base64. */
  declaredType: string | null;
}

const DATA_URL = /^data:([^,]*?),(.*)$/is;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Bytes(text: string): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) return null;
  // A length of 4n+1 cannot come from any bytes: a truncated paste, not data.
  if (compact.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}

export function isDataUrl(value: string): boolean {
  return /^data:/i.test(value.trimStart());
}

/** The bytes of a data: URL or bare base64 string; null when it is neither. */
export function decodeInline(value: string): InlineData | null {
  const trimmed = value.trim();
  const match = DATA_URL.exec(trimmed);
  if (!match) {
    const bytes = base64Bytes(trimmed);
    return bytes ? { bytes, declaredType: null } : null;
  }
  const params = match[1].split(';').map((p) => p.trim());
  const declaredType = params[0] ? params[0].toLowerCase() : null;
  if (params.slice(1).some((p) => p.toLowerCase() === 'base64')) {
    const bytes = base64Bytes(match[2]);
    return bytes ? { bytes, declaredType } : null;
  }
  try {
    return { bytes: Buffer.from(decodeURIComponent(match[2]), 'utf8'), declaredType };
  } catch {
    return null;
  }
}
