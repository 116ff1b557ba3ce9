import { describe, expect, it } from '@jest/globals';
import { joinManageReplyParts, manageReplyParts } from './conversation-records.schemas.js';

describe('management reply parts', () => {
  it('cuts a body larger than one NATS message into parts that join back to it, each small on the wire', () => {
    const mapping = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`node-${i}`, { text: `“quoted” \\ line\nwith 🙂 ${'x'.repeat(900)}` }]));
    const body = { conversation_id: 'c1', mapping };
    const parts = manageReplyParts({ ok: true, status: 200, body });
    expect(JSON.stringify(body).length).toBeGreaterThan(2 * 1024 * 1024);
    expect(parts.length).toBeGreaterThan(30);
    // As NestJS sends each one: inside its own JSON envelope.
    for (const part of parts) expect(Buffer.byteLength(JSON.stringify({ id: 'x', response: part, isDisposed: false }))).toBeLessThan(1024 * 1024);
    const wire = parts.map((p) => JSON.parse(JSON.stringify(p)) as unknown);
    expect(joinManageReplyParts(wire)).toEqual({ ok: true, status: 200, body });
  });

  it('sends a failure, a small body and an empty body in one part', () => {
    const failure = { status: 404, error: { message: 'no', type: 'invalid_request_error', param: null, code: 'conversation_not_found' } };
    expect(manageReplyParts({ ok: false, failure })).toEqual([{ ok: false, failure }]);
    expect(joinManageReplyParts(manageReplyParts({ ok: true, status: 200, body: { success: true } }))).toEqual({ ok: true, status: 200, body: { success: true } });
    expect(joinManageReplyParts(manageReplyParts({ ok: true, status: 204, body: undefined }))).toEqual({ ok: true, status: 204, body: null });
    expect(() => joinManageReplyParts([])).toThrow();
  });
});
