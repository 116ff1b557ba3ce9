import { describe, expect, it } from '@jest/globals';
import {
  cutJsonText,
  joinResponsesStoreReplyParts,
  responseSaveRequests,
  responsesStoreReplyParts,
  responsesStoreRequestSchema,
  RESPONSE_SAVE_MAX_PARTS,
  type StoredResponse,
} from './responses-store.schemas.js';

describe('stored-responses reply parts', () => {
  it('cuts a body larger than one NATS message (images as data URLs) into parts that join back to it, each small on the wire', () => {
    const image = `data:image/png;base64,${'iVBORw0KGgo'.repeat(40_000)}`;
    const input = Array.from({ length: 6 }, (_, i) => ({ role: 'user', content: [{ type: 'input_text', text: `“look” 🙂 ${i}` }, { type: 'input_image', image_url: image }] }));
    const body = { upstream: 'codex', accountId: null, input, output: [], conversationId: null, messageId: null };
    const parts = responsesStoreReplyParts({ ok: true, upstream: 'codex', body });
    expect(JSON.stringify(body).length).toBeGreaterThan(2 * 1024 * 1024);
    expect(parts.length).toBeGreaterThan(30);
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify({ id: 'x', response: part, isDisposed: false }))).toBeLessThan(1024 * 1024);
    const wire = parts.map((p) => JSON.parse(JSON.stringify(p)) as unknown);
    expect(joinResponsesStoreReplyParts(wire)).toEqual({ ok: true, upstream: 'codex', body });
  });

  it("sends a failure, an API key's bodiless reply and a small or null body in one part", () => {
    const failure = { status: 404, error: { message: 'no', type: 'invalid_request_error', param: null, code: 'response_not_found' } };
    expect(responsesStoreReplyParts({ ok: false, failure })).toEqual([{ ok: false, failure }]);
    expect(joinResponsesStoreReplyParts(responsesStoreReplyParts({ ok: false, failure }))).toEqual({ ok: false, failure });
    expect(joinResponsesStoreReplyParts(responsesStoreReplyParts({ ok: true, upstream: 'platform' }))).toEqual({ ok: true, upstream: 'platform' });
    expect(joinResponsesStoreReplyParts(responsesStoreReplyParts({ ok: true, upstream: 'platform', body: null }))).toEqual({ ok: true, upstream: 'platform', body: null });
    expect(responsesStoreReplyParts({ ok: true, upstream: 'chatgpt', body: { id: 'resp_1' } })).toHaveLength(1);
  });

  it('refuses parts that are not one whole reply', () => {
    expect(() => joinResponsesStoreReplyParts([])).toThrow();
    expect(() => joinResponsesStoreReplyParts([{ ok: true, upstream: 'codex', chunk: '{' }, { ok: true, upstream: 'platform' }])).toThrow();
  });

  it('cuts JSON text without parting the halves of a surrogate pair, so each piece is valid UTF-8 on its own', () => {
    const json = JSON.stringify({ text: '🙂a🙂🙂bc🙂'.repeat(50), nul: '\u0000', lone: '\ud800' });
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const pieces = cutJsonText(json, size);
      expect(pieces.join('')).toBe(json);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(Math.max(size, 2));
        expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece);
      }
    }
    expect(cutJsonText('', 8)).toEqual([]);
  });
});

describe('saving a stored response', () => {
  const owner = { tenantId: 't1', userId: null, credentialId: 'c1' };
  const stored = (text: string): StoredResponse => ({
    id: 'resp_1',
    upstream: 'chatgpt',
    model: 'gpt-4o',
    accountId: null,
    response: { id: 'resp_1', output: [{ type: 'message', content: [{ type: 'output_text', text }] }] },
    input: [{ role: 'user', content: text }],
    conversationId: 'conv',
    messageId: 'msg',
  });

  it('saves a response that fits one message in one save', () => {
    expect(responseSaveRequests(owner, stored('small'))).toEqual([{ op: 'save', owner, response: stored('small') }]);
  });

  it('saves a larger one in parts, each well under a NATS message, then a commit naming how many', () => {
    const big = stored(`“quoted” 🙂 ${'x'.repeat(700 * 1024)} \u0000 end`);
    const requests = responseSaveRequests(owner, big);
    const commit = requests.at(-1)!;
    expect(commit).toEqual({ op: 'save_commit', owner, id: 'resp_1', parts: requests.length - 1 });
    const parts = requests.slice(0, -1);
    expect(parts.length).toBeGreaterThan(10);
    parts.forEach((part, index) => {
      expect(part).toMatchObject({ op: 'save_part', id: 'resp_1', index });
      expect(Buffer.byteLength(JSON.stringify({ pattern: 'x', data: part, id: 'y' }))).toBeLessThan(1024 * 1024);
      expect(responsesStoreRequestSchema.parse(part)).toEqual(part);
    });
    const json = parts.map((p) => (p.op === 'save_part' ? p.chunk : '')).join('');
    expect(JSON.parse(json)).toEqual(big);
  });

  it('refuses a part index or a part count outside the bounds', () => {
    expect(responsesStoreRequestSchema.safeParse({ op: 'save_part', owner, id: 'r', index: RESPONSE_SAVE_MAX_PARTS, chunk: '' }).success).toBe(false);
    expect(responsesStoreRequestSchema.safeParse({ op: 'save_part', owner, id: 'r', index: -1, chunk: '' }).success).toBe(false);
    expect(responsesStoreRequestSchema.safeParse({ op: 'save_commit', owner, id: 'r', parts: 0 }).success).toBe(false);
  });
});
