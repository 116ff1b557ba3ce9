import { describe, expect, it } from '@jest/globals';
import { decodeInline, isDataUrl } from './inline-data.js';
import { leadingUrls } from './input-loader.js';

describe('decodeInline', () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);

  it('decodes base64 data: URLs, bare base64 (standard and url-safe, wrapped lines) and percent-encoded data: URLs', () => {
    expect(decodeInline(`data:image/png;base64,${bytes.toString('base64')}`)).toEqual({ bytes, declaredType: 'image/png' });
    expect(decodeInline(`DATA:Image/PNG;name=a.png;base64,${bytes.toString('base64')}`)?.declaredType).toBe('image/png');
    expect(decodeInline(bytes.toString('base64'))).toEqual({ bytes, declaredType: null });
    expect(decodeInline(bytes.toString('base64url'))?.bytes).toEqual(bytes);
    expect(decodeInline(`${bytes.toString('base64').slice(0, 4)}\n${bytes.toString('base64').slice(4)}`)?.bytes).toEqual(bytes);
    expect(decodeInline('data:text/plain,hello%20world')).toEqual({ bytes: Buffer.from('hello world'), declaredType: 'text/plain' });
  });

  it('refuses what is not base64', () => {
    expect(decodeInline('')).toBeNull();
    expect(decodeInline('https://example.com/a.png')).toBeNull();
    expect(decodeInline('data:image/png;base64,@@@')).toBeNull();
    expect(decodeInline('abcde')).toBeNull();
    expect(decodeInline('data:text/plain,%E0%A4%A')).toBeNull();
  });

  it('tells data: URLs from others', () => {
    expect(isDataUrl(' data:image/png;base64,AAAA')).toBe(true);
    expect(isDataUrl('https://x/data:')).toBe(false);
  });
});

describe('leadingUrls (UPLOAD_BY_URL)', () => {
  it('takes the URLs at the start and leaves the rest of the text', () => {
    expect(leadingUrls('https://a.example/x.png http://b.example/y.pdf  What are these?')).toEqual({ urls: ['https://a.example/x.png', 'http://b.example/y.pdf'], rest: 'What are these?' });
    expect(leadingUrls('https://a.example/x.png')).toEqual({ urls: ['https://a.example/x.png'], rest: '' });
  });

  it('leaves a URL that is not at the start, and other schemes, as text', () => {
    expect(leadingUrls('see https://a.example/x.png')).toEqual({ urls: [], rest: 'see https://a.example/x.png' });
    expect(leadingUrls('ftp://a.example/x')).toEqual({ urls: [], rest: 'ftp://a.example/x' });
  });
});
