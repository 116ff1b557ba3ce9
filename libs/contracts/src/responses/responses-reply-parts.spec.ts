import { describe, expect, it } from '@jest/globals';
import { joinResponsesStoreReplyParts, responsesStoreReplyParts } from './responses-store.schemas.js';

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
});
