// What the bytes are, from their first bytes (never from what the sender claims): the four image
// formats the upstream takes as image_asset_pointer, with their dimensions (reference §2: width and
// height are part of the pointer), and documents by signature or, failing that, by file name.

export interface SniffedImage {
  mimeType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  width: number;
  height: number;
}

function startsWith(bytes: Buffer, signature: number[] | string, at = 0): boolean {
  const sig = typeof signature === 'string' ? Buffer.from(signature, 'latin1') : Buffer.from(signature);
  return bytes.length >= at + sig.length && bytes.subarray(at, at + sig.length).equals(sig);
}

function png(bytes: Buffer): SniffedImage | null {
  if (!startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || !startsWith(bytes, 'IHDR', 12) || bytes.length < 24) return null;
  return { mimeType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function gif(bytes: Buffer): SniffedImage | null {
  if (!(startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) || bytes.length < 10) return null;
  return { mimeType: 'image/gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the dimensions. */
function jpeg(bytes: Buffer): SniffedImage | null {
  if (!startsWith(bytes, [0xff, 0xd8, 0xff])) return null;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) return { mimeType: 'image/jpeg', height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  return null;
}

function webp(bytes: Buffer): SniffedImage | null {
  if (!startsWith(bytes, 'RIFF') || !startsWith(bytes, 'WEBP', 8) || bytes.length < 30) return null;
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return { mimeType: 'image/webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const b = bytes.subarray(21, 25);
    return { mimeType: 'image/webp', width: 1 + (((b[1] & 0x3f) << 8) | b[0]), height: 1 + (((b[3] & 0x0f) << 10) | (b[2] << 2) | ((b[1] & 0xc0) >> 6)) };
  }
  if (chunk === 'VP8X') return { mimeType: 'image/webp', width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  return null;
}

/** The image these bytes are, or null when they are none of PNG, JPEG, GIF and WebP (or are cut short). */
export function sniffImage(bytes: Buffer): SniffedImage | null {
  const image = png(bytes) ?? jpeg(bytes) ?? gif(bytes) ?? webp(bytes);
  return image && image.width > 0 && image.height > 0 ? image : null;
}

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  doc: 'application/msword',
  zip: 'application/zip',
};

function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return false;
  // Valid UTF-8 round-trips; cutting at 4096 may split one character, so compare without the tail.
  const decoded = Buffer.from(head.toString('utf8'), 'utf8');
  return decoded.subarray(0, Math.max(0, head.length - 4)).equals(head.subarray(0, Math.max(0, head.length - 4)));
}

/** The media type of a document: a signature when there is one, else the file name's extension, else text or octet-stream. */
export function documentType(bytes: Buffer, fileName: string): string {
  if (startsWith(bytes, '%PDF-')) return 'application/pdf';
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  const named = extension ? BY_EXTENSION[extension] : undefined;
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return named && /openxml|zip/.test(named) ? named : 'application/zip';
  if (named) return named;
  return looksLikeText(bytes) ? 'text/plain' : 'application/octet-stream';
}

const EXTENSION_OF: Record<SniffedImage['mimeType'], string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

export function imageExtension(mimeType: SniffedImage['mimeType']): string {
  return EXTENSION_OF[mimeType];
}
