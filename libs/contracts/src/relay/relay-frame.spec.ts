import { describe, expect, it } from '@jest/globals';
import { RELAY_DATA_MAX_BYTES } from './relay.subjects.js';
import { dataFrames, decodeRelayFrame, encodeRelayFrame, type RelayFrame } from './relay-frame.schema.js';
import { relayJobSchema } from './relay-job.schema.js';

describe('relay frames', () => {
  it('round-trips control frames as JSON', () => {
    const frames: RelayFrame[] = [
      { t: 'head', status: 200, headers: { 'content-type': 'text/event-stream' } },
      { t: 'end' },
      { t: 'hb' },
      { t: 'error', status: 429, error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' }, retryAfterSec: 3 },
    ];
    for (const frame of frames) expect(decodeRelayFrame(encodeRelayFrame(frame))).toEqual(frame);
  });

  it('carries every byte value of a data frame unchanged (no text decoding on the way)', () => {
    const bytes = new Uint8Array(512).map((_, i) => i % 256);
    const decoded = decodeRelayFrame(encodeRelayFrame({ t: 'data', bytes }));
    expect(decoded.t).toBe('data');
    expect(Buffer.from((decoded as { bytes: Uint8Array }).bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('splits a large chunk into frames within the size limit, in order', () => {
    const chunk = new Uint8Array(RELAY_DATA_MAX_BYTES * 2 + 10).map((_, i) => (i * 7) % 251);
    const parts = [...dataFrames(chunk)].map((f) => (f as { bytes: Uint8Array }).bytes);
    expect(parts.map((p) => p.length)).toEqual([RELAY_DATA_MAX_BYTES, RELAY_DATA_MAX_BYTES, 10]);
    expect(Buffer.concat(parts).equals(Buffer.from(chunk))).toBe(true);
    expect(() => encodeRelayFrame({ t: 'data', bytes: chunk })).toThrow(RangeError);
  });

  it('refuses what is not a frame', () => {
    expect(() => decodeRelayFrame(new Uint8Array([7, 1, 2]))).toThrow();
    expect(() => decodeRelayFrame(new Uint8Array([0, ...new TextEncoder().encode('{"t":"nope"}')]))).toThrow();
  });

  it('accepts a job with defaults and refuses a path with a query or host', () => {
    const base = { requestId: 'r1', target: 'chatgpt_web', upstream: { kind: 'pool', tenantId: 't' }, tenantId: 't', credentialId: 'c' };
    const job = relayJobSchema.parse({ ...base, request: { method: 'GET', path: '/backend-api/me' } });
    expect(job).toMatchObject({ usage: null, caller: null, userId: null, request: { query: '', headers: {} } });
    expect(() => relayJobSchema.parse({ ...base, request: { method: 'GET', path: '/x?y=1' } })).toThrow();
    expect(() => relayJobSchema.parse({ ...base, request: { method: 'GET', path: 'https://evil/x' } })).toThrow();
    expect(() => relayJobSchema.parse({ ...base, target: 'other', request: { method: 'GET', path: '/x' } })).toThrow();
  });
});
