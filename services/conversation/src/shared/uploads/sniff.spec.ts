import { describe, expect, it } from '@jest/globals';
import { deflateSync } from 'node:zlib';
import { documentType, sniffImage } from './sniff.js';

const png = (w: number, h: number) => {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
};

/** SOI, an APP0 segment to skip, then a baseline SOF0 with the dimensions. */
const jpeg = (w: number, h: number) =>
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 0xff, w >> 8, w & 0xff, 0x03, 0, 0, 0, 0, 0, 0]);

const gif = (w: number, h: number) => {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
};

const webpVp8x = (w: number, h: number) => {
  const b = Buffer.alloc(30);
  b.write('RIFF', 0, 'latin1');
  b.write('WEBP', 8, 'latin1');
  b.write('VP8X', 12, 'latin1');
  b.writeUIntLE(w - 1, 24, 3);
  b.writeUIntLE(h - 1, 27, 3);
  return b;
};

describe('sniffImage', () => {
  it.each([
    ['PNG', png(640, 480), 'image/png', 640, 480],
    ['JPEG', jpeg(1024, 768), 'image/jpeg', 1024, 768],
    ['GIF', gif(12, 34), 'image/gif', 12, 34],
    ['WebP (VP8X)', webpVp8x(3000, 2000), 'image/webp', 3000, 2000],
  ])('reads a %s and its dimensions', (_name, bytes, mimeType, width, height) => {
    expect(sniffImage(bytes)).toEqual({ mimeType, width, height });
  });

  it('refuses what only claims to be an image: HTML, a PDF, a cut-off header, zero dimensions', () => {
    expect(sniffImage(Buffer.from('<html>'))).toBeNull();
    expect(sniffImage(Buffer.from('%PDF-1.7'))).toBeNull();
    expect(sniffImage(png(10, 10).subarray(0, 20))).toBeNull();
    expect(sniffImage(png(0, 10))).toBeNull();
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
  });
});

describe('documentType', () => {
  it('trusts a signature over the name, then the name, then the content', () => {
    expect(documentType(Buffer.from('%PDF-1.4 ...'), 'notes.txt')).toBe('application/pdf');
    expect(documentType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]), 'a.docx')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(documentType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]), 'a.pdf')).toBe('application/zip');
    expect(documentType(Buffer.from('a,b\n1,2\n'), 'data.csv')).toBe('text/csv');
    expect(documentType(Buffer.from('just words, ünïcode'), 'file')).toBe('text/plain');
    expect(documentType(deflateSync(Buffer.alloc(100, 1)), 'file')).toBe('application/octet-stream');
  });
});
