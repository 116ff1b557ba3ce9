import { describe, expect, it } from '@jest/globals';
import type { Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { parseSpeechRequest, toSpeechJob } from './to-speech-job.js';

const principal: Principal = {
  credentialId: 'cred-1',
  tenantId: 'tenant-1',
  userId: 'user-1',
  userName: 'alice',
  limits: [],
  isolatedSession: false,
  label: 'alice',
  upstream: { kind: 'pool', tenantId: 'tenant-1' },
  expiresAt: Date.now() + 60_000,
};

const job = (body: Record<string, unknown>) => toSpeechJob(parseSpeechRequest({ model: 'tts-1', input: 'Hello.', voice: 'alloy', ...body }), principal, 'req-1');

function refusal(body: Record<string, unknown>): { status: number; param: string | null; code: string | null } {
  try {
    job(body);
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, param: err.body.param, code: err.body.code };
    throw err;
  }
  throw new Error('accepted');
}

describe('toSpeechJob', () => {
  it.each([
    ['alloy', 'cove'],
    ['ash', 'fathom'],
    ['coral', 'vale'],
    ['echo', 'ember'],
    ['fable', 'breeze'],
    ['onyx', 'orbit'],
    ['nova', 'maple'],
    ['sage', 'glimmer'],
    ['shimmer', 'juniper'],
    ['juniper', 'juniper'],
    ['Cove', 'cove'],
  ])('maps the voice %s to %s', (voice, native) => {
    expect(job({ voice }).voice).toBe(native);
  });

  it('takes a custom voice reference by its id', () => {
    expect(job({ voice: { id: 'nova' } }).voice).toBe('maple');
  });

  it.each([
    [undefined, 'mp3'],
    ['mp3', 'mp3'],
    ['opus', 'opus'],
    ['aac', 'aac'],
    ['flac', 'aac'],
    ['wav', 'aac'],
    ['pcm', 'aac'],
  ])('maps response_format %s to the upstream format %s', (response_format, format) => {
    expect(job({ response_format }).format).toBe(format);
  });

  it('carries who asks and what to say', () => {
    expect(job({ input: 'Say this.', model: 'gpt-4o-mini-tts', speed: 1 })).toEqual({
      requestId: 'req-1',
      model: 'gpt-4o-mini-tts',
      input: 'Say this.',
      voice: 'cove',
      format: 'mp3',
      upstream: { kind: 'pool', tenantId: 'tenant-1' },
      tenantId: 'tenant-1',
      credentialId: 'cred-1',
      userId: 'user-1',
      userName: 'alice',
    });
  });

  it.each<[Record<string, unknown>, { status: number; param: string | null; code: string | null }]>([
    [{ voice: 'verse' }, { status: 400, param: 'voice', code: 'invalid_value' }],
    [{ voice: '' }, { status: 400, param: 'voice', code: 'invalid_value' }],
    [{ response_format: 'ogg' }, { status: 400, param: 'response_format', code: 'invalid_value' }],
    [{ input: 'x'.repeat(4097) }, { status: 400, param: 'input', code: 'invalid_value' }],
    [{ input: ' \n ' }, { status: 400, param: 'input', code: 'invalid_value' }],
    [{ input: undefined }, { status: 400, param: 'input', code: 'missing_required_parameter' }],
    [{ model: undefined }, { status: 400, param: 'model', code: 'missing_required_parameter' }],
    [{ speed: 0.1 }, { status: 400, param: 'speed', code: 'invalid_value' }],
    [{ speed: 1.5 }, { status: 400, param: 'speed', code: 'unsupported_parameter' }],
    [{ instructions: 'Speak softly.' }, { status: 400, param: 'instructions', code: 'unsupported_parameter' }],
    [{ stream_format: 'sse' }, { status: 400, param: 'stream_format', code: 'unsupported_parameter' }],
    [{ model: 'tts-1\u0000' }, { status: 400, param: 'model', code: 'invalid_value' }],
    [{ voice: 'alloy\n' }, { status: 400, param: 'voice', code: 'invalid_value' }],
    [{ voice: { id: 'voice_\u0000' } }, { status: 400, param: 'voice', code: 'invalid_value' }],
    [{ input: 'say \u0000 this' }, { status: 400, param: 'input', code: 'invalid_value' }],
    [{ response_format: 'mp3\r' }, { status: 400, param: 'response_format', code: 'invalid_value' }],
  ])('refuses %j', (body, expected) => {
    expect(refusal(body)).toEqual(expected);
  });

  it('accepts exactly 4096 characters and a non-object body is a 400', () => {
    expect(job({ input: 'y'.repeat(4096) }).input).toHaveLength(4096);
    expect(() => parseSpeechRequest('text')).toThrow(ApiError);
  });
});
