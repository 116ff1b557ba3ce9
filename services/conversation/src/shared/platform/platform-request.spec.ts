import { describe, expect, it } from '@jest/globals';
import { prepareBody, type PlatformRequest } from './platform-request.js';

const base: Omit<PlatformRequest, 'path' | 'body'> = { requestId: 'r', tenantId: 't', credentialId: 'c', userId: null, userName: null };

describe('prepareBody', () => {
  it('adds include_usage to a streamed chat request and remembers the client did not ask', () => {
    const body = { model: 'gpt-4o', stream: true, messages: [], tools: [{ type: 'function' }], stream_options: { other: 1 } };
    const prepared = prepareBody({ ...base, path: '/chat/completions', body });
    expect(JSON.parse(prepared.json!)).toEqual({ ...body, stream_options: { other: 1, include_usage: true } });
    expect(prepared).toMatchObject({ stream: true, clientAskedUsage: false, model: 'gpt-4o' });
  });

  it('sends a body that needs nothing added exactly as given', () => {
    const asked = { model: 'gpt-4o', stream: true, messages: [], stream_options: { include_usage: true } };
    expect(prepareBody({ ...base, path: '/chat/completions', body: asked })).toMatchObject({ json: JSON.stringify(asked), clientAskedUsage: true });
    const plain = { model: 'text-embedding-3-small', input: 'x' };
    expect(prepareBody({ ...base, path: '/embeddings', body: plain }).json).toBe(JSON.stringify(plain));
    expect(prepareBody({ ...base, path: '/models' }).json).toBeUndefined();
  });
});
