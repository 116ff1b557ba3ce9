// What the model "sees" in an image or file part: the simulator reads the bytes of a data URL
// (type, size and, for images, the dimensions from the header) and says so in its answer, so a
// test can tell that an image travelled intact through a gateway.
import { badRequest } from './errors.js';

export interface DataUrl {
  mime: string;
  bytes: Buffer;
}

export function parseDataUrl(url: string): DataUrl | null {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s.exec(url);
  if (!match) return null;
  return { mime: match[1] || 'application/octet-stream', bytes: Buffer.from(match[3], 'base64') };
}

/** Width and height from a PNG, GIF, JPEG or WebP header; null when the bytes are none of these. */
export function imageSize(bytes: Buffer): { type: string; width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
    return { type: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8') {
    return { type: 'image/gif', width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return webpSize(bytes);
  return null;
}

function jpegSize(bytes: Buffer): { type: string; width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    const length = bytes.readUInt16BE(at + 2);
    // Start-of-frame markers C0..CF, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { type: 'image/jpeg', height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

function webpSize(bytes: Buffer): { type: string; width: number; height: number } | null {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { type: 'image/webp', width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  if (chunk === 'VP8 ') return { type: 'image/webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return { type: 'image/webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  return null;
}

const UNSUPPORTED_IMAGE = "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].";

/** `[image N: image/png, 68 bytes, 1x1]` for a data URL; the URL or file id otherwise. Bytes that are no image are a 400. */
export function imageNote(index: number, part: Record<string, unknown>): string {
  const url = typeof part.image_url === 'string' ? part.image_url : null;
  if (url === null) return `[image ${index}: file ${String(part.file_id ?? 'unknown')}]`;
  const data = parseDataUrl(url);
  if (!data) return `[image ${index}: ${url}]`;
  const size = imageSize(data.bytes);
  if (!size) throw badRequest(UNSUPPORTED_IMAGE, null, 'invalid_image_format');
  return `[image ${index}: ${size.type}, ${data.bytes.length} bytes, ${size.width}x${size.height}]`;
}

/** `[file N: name, type, 1234 bytes]` for inline file data; the URL or file id otherwise. */
export function fileNote(index: number, part: Record<string, unknown>): string {
  const name = typeof part.filename === 'string' ? part.filename : 'unnamed';
  if (typeof part.file_data === 'string') {
    const data = parseDataUrl(part.file_data);
    const bytes = data ? data.bytes : Buffer.from(part.file_data, 'base64');
    return `[file ${index}: ${name}, ${data?.mime ?? 'application/octet-stream'}, ${bytes.length} bytes]`;
  }
  if (typeof part.file_url === 'string') return `[file ${index}: ${part.file_url}]`;
  return `[file ${index}: file ${String(part.file_id ?? 'unknown')}]`;
}
