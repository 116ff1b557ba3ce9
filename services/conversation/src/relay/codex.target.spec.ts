import { describe, expect, it } from '@jest/globals';
import type { RelayFrame, RelayJob } from '@chatgate/contracts';
import type { CodexChatRequest, CodexSink } from '../shared/codex/run-codex-chat.js';
import { CodexTarget, codexRequestOf } from './codex.target.js';
import type { RelayRun } from './relay-target.js';

const job = (over: Partial<RelayJob> = {}, body: unknown = { model: 'gpt-5.4', messages: [] }): RelayJob => ({
  requestId: 'r1',
  target: 'codex',
  request: { method: 'POST', path: '/chat/completions', query: '', headers: {}, body: Buffer.from(JSON.stringify(body)).toString('base64') },
  upstream: { kind: 'pool', tenantId: 't' },
  tenantId: 't',
  credentialId: 'c',
  userId: 'u',
  userName: 'ann',
  usage: null,
  caller: null,
  ...over,
});

describe('the codex relay target', () => {
  it('hands a chat completions job to the Codex runner with its caller', () => {
    expect(codexRequestOf(job())).toEqual({ requestId: 'r1', tenantId: 't', credentialId: 'c', userId: 'u', userName: 'ann', upstream: { kind: 'pool', tenantId: 't' }, body: { model: 'gpt-5.4', messages: [] } });
  });

  it('refuses another path, a job that carries its own usage, and a body that is no JSON object', () => {
    expect(codexRequestOf(job({ request: { method: 'POST', path: '/embeddings', query: '', headers: {} } }))).toMatchObject({ status: 404, error: { code: 'unknown_url' } });
    expect(codexRequestOf(job({ usage: { kind: 'chat', model: 'm' } }))).toMatchObject({ error: { code: 'malformed_job' } });
    expect(codexRequestOf(job({}, [1, 2]))).toMatchObject({ status: 400, error: { code: 'invalid_body' } });
  });

  it("turns the runner's sink into relay frames", async () => {
    const frames: RelayFrame[] = [];
    const runner = {
      async run(_request: CodexChatRequest, sink: CodexSink) {
        sink.head(200, { 'content-type': 'application/json' });
        sink.data(Buffer.from('{}'));
        sink.end();
      },
    };
    const run: RelayRun = { job: job(), abort: new AbortController(), account: null, usage: null, send: (f) => void frames.push(f), drained: async () => undefined };
    await new CodexTarget(runner).run(run);
    expect(frames.map((f) => f.t)).toEqual(['head', 'data', 'end']);
    const bad: RelayFrame[] = [];
    await new CodexTarget(runner).run({ ...run, job: job({ usage: { kind: 'chat', model: 'm' } }), send: (f) => void bad.push(f) });
    expect(bad).toEqual([expect.objectContaining({ t: 'error' })]);
  });
});
