import { describe, expect, it } from '@jest/globals';
import { filesBaseUrl } from './files-base-url.js';

const config = { PUBLIC_URL: undefined, API_PREFIX: '', MIRROR_API_PREFIX: '' };
const req = (headers: Record<string, string>, protocol: 'http' | 'https' = 'http') => ({ headers, protocol });

describe('filesBaseUrl', () => {
  it('uses the origin the client reached, or what a reverse proxy forwarded', () => {
    expect(filesBaseUrl(config, req({ host: '127.0.0.1:5005' }))).toBe('http://127.0.0.1:5005/v1/files/');
    expect(filesBaseUrl(config, req({ host: 'internal:5005', 'x-forwarded-host': 'chat.example.com', 'x-forwarded-proto': 'https, http' }))).toBe('https://chat.example.com/v1/files/');
  });

  it('prefers PUBLIC_URL and honours API_PREFIX (else MIRROR_API_PREFIX)', () => {
    expect(filesBaseUrl({ ...config, PUBLIC_URL: 'https://gw.example.com/', API_PREFIX: '/api/' }, req({ host: 'ignored' }))).toBe('https://gw.example.com/api/v1/files/');
    expect(filesBaseUrl({ ...config, MIRROR_API_PREFIX: 'mirror' }, req({ host: 'h:1' }))).toBe('http://h:1/mirror/v1/files/');
  });

  it('links nothing when the host is missing or not a host', () => {
    expect(filesBaseUrl(config, req({}))).toBeUndefined();
    expect(filesBaseUrl(config, req({ host: 'evil.example/path?x=' }))).toBeUndefined();
    expect(filesBaseUrl(config, req({ host: 'h', 'x-forwarded-proto': 'javascript' }))).toBeUndefined();
  });
});
