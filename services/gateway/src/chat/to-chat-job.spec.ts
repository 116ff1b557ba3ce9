import { describe, expect, it } from '@jest/globals';
import type { Principal } from '@chatgate/contracts';
import { ApiError } from '../shared/errors/api-error.js';
import { parseChatRequest, toChatJob } from './to-chat-job.js';

const principal: Principal = {
  credentialId: 'raw_abc',
  tenantId: 't1',
  userId: null,
  userName: null,
  limits: [],
  isolatedSession: false,
  label: 'a@example.com',
  upstream: { kind: 'chatgpt_access_token', accessToken: 'tok', accountId: 'ws-1' },
  expiresAt: Date.now() + 60_000,
};

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('parseChatRequest', () => {
  it('accepts a minimal request and tolerates unknown fields', () => {
    const req = parseChatRequest({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 1, whatever: [1] });
    expect(req.model).toBe('gpt-4o');
  });

  it.each([
    [[], null, 'invalid_body'],
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', 'missing_required_parameter'],
    [{ model: 'm', messages: [] }, 'messages', 'invalid_value'],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'invalid_value'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', 'invalid_value'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, 'max_tokens', 'invalid_value'],
  ])('refuses %j naming %s', (body, param, code) => {
    const err = errorOf(() => parseChatRequest(body));
    expect(err.status).toBe(400);
    expect(err.body.param).toBe(param);
    expect(err.body.code).toBe(code);
  });

  const base = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
  it.each([
    [{ ...base, model: 'gpt-4o\u0000' }, 'model', /control characters/],
    [{ ...base, model: 'gpt-4o\n' }, 'model', /control characters/],
    [{ ...base, model: 'x'.repeat(201) }, 'model', /200/],
    [{ ...base, model: 'gpt-\uD800' }, 'model', /unpaired surrogate/],
    [{ ...base, user: 'alice\u001b[2J' }, 'user', /control characters/],
    [{ ...base, conversation_id: 'c\u0000' }, 'conversation_id', /control characters/],
    [{ ...base, parent_message_id: 'm\r\n' }, 'parent_message_id', /control characters/],
    [{ ...base, messages: [{ role: 'user', content: 'a\u0000b' }] }, 'messages[0].content', /NUL/],
    [{ ...base, messages: [{ role: 'user', content: 'half \uDC00' }] }, 'messages[0].content', /unpaired surrogate/],
    [{ ...base, messages: [{ role: 'user', content: 'hi', name: 'bob\u0007' }] }, 'messages[0].name', /control characters/],
  ])('refuses a client string that cannot be stored or logged safely: %j', (body, param, message) => {
    const err = errorOf(() => parseChatRequest(body));
    expect(err.status).toBe(400);
    expect(err.body).toMatchObject({ type: 'invalid_request_error', param, code: 'invalid_value' });
    expect(err.body.message).toMatch(message);
  });

  it('lets message text keep line breaks, tabs and escape sequences', () => {
    const content = 'first line\n\tsecond \u001b[1mbold\u001b[0m\r\n';
    expect(parseChatRequest({ ...base, messages: [{ role: 'user', content }] }).messages[0].content).toBe(content);
  });
});

describe('toChatJob', () => {
  const defaults = { historyDisabled: false };

  it('carries the conversation fields and the caller', () => {
    const req = parseChatRequest({
      model: 'gpt-4o',
      stream: true,
      max_completion_tokens: 100,
      reasoning_effort: 'high',
      conversation_id: 'c1',
      parent_message_id: 'p1',
      hatd: true,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      ],
    });
    const job = toChatJob(req, principal, 'req-1', defaults);
    expect(job).toMatchObject({
      requestId: 'req-1',
      model: 'gpt-4o',
      stream: true,
      maxTokens: 100,
      reasoningEffort: 'high',
      conversationId: 'c1',
      parentMessageId: 'p1',
      historyDisabled: true,
      tenantId: 't1',
      credentialId: 'raw_abc',
      upstream: principal.upstream,
    });
    expect(job.messages[1].content).toEqual([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }]);
  });

  it('falls back to the configured temporary-chat default', () => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(toChatJob(req, principal, 'r', { historyDisabled: true }).historyDisabled).toBe(true);
    expect(toChatJob({ ...req, history_disabled: false }, principal, 'r', { historyDisabled: true }).historyDisabled).toBe(false);
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ tools: [{ type: 'function' }] }, 'tools'],
    [{ functions: [{ name: 'f' }] }, 'functions'],
    [{ response_format: { type: 'json_object' } }, 'response_format'],
  ])('refuses %j instead of ignoring it', (extra, param) => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });
    const err = errorOf(() => toChatJob(req, principal, 'r', defaults));
    expect(err.status).toBe(400);
    expect(err.body).toMatchObject({ param, code: 'unsupported_parameter' });
  });

  it('refuses tool messages', () => {
    const tool = parseChatRequest({ model: 'm', messages: [{ role: 'tool', content: 'x' }] });
    expect(errorOf(() => toChatJob(tool, principal, 'r', defaults)).body.param).toBe('messages[0].role');
  });

  it('carries image and file parts of user messages as the worker reads them', () => {
    const req = parseChatRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          ],
        },
      ],
    });
    expect(toChatJob(req, principal, 'r', defaults).messages[0].content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
    ]);
  });

  it.each([
    [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }, 'messages[0].content[0].image_url.url', 'missing_required_parameter'],
    [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x', detail: 'max' } }] }, 'messages[0].content[0].image_url.detail', 'invalid_value'],
    [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }, 'messages[0].content[0].type', 'unsupported_content_type'],
    [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }, 'messages[0].content[0].file.file_id', 'unsupported_parameter'],
    [{ role: 'user', content: [{ type: 'file', file: { filename: 'a.pdf' } }] }, 'messages[0].content[0].file.file_data', 'missing_required_parameter'],
    [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }, 'messages[0].content[0]', 'unsupported_content_type'],
    [{ role: 'user', content: [{ type: 'text', text: 'a\u0000' }] }, 'messages[0].content[0].text', 'invalid_value'],
    [{ role: 'user', content: [{ type: 'file', file: { file_data: 'JVBERi0=', filename: 'a\n.pdf' } }] }, 'messages[0].content[0].file.filename', 'invalid_value'],
    [{ role: 'user', content: [{ type: 'file', file: { file_data: 'JVBERi0=', filename: `${'n'.repeat(300)}.pdf` } }] }, 'messages[0].content[0].file.filename', 'invalid_value'],
  ])('refuses the part in %j naming %s', (message, param, code) => {
    const req = parseChatRequest({ model: 'm', messages: [message] });
    const err = errorOf(() => toChatJob(req, principal, 'r', defaults));
    expect(err.status).toBe(400);
    expect(err.body).toMatchObject({ param, code });
  });

  it.each([
    [{ logprobs: true }, 'logprobs'],
    [{ top_logprobs: 2 }, 'top_logprobs'],
  ])('refuses %j, which the upstream cannot answer, instead of answering logprobs: null', (extra, param) => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });
    expect(errorOf(() => toChatJob(req, principal, 'r', defaults)).body).toMatchObject({ param, code: 'unsupported_parameter' });
  });

  it('says what a caller can do about it: a raw token needs a chatgate key, a tenant credential a route', () => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] });
    expect(errorOf(() => toChatJob(req, principal, 'r', defaults)).body.message).toMatch(/ChatGPT token reaches its own ChatGPT account only: use a chatgate key/);
    const pooled: Principal = { ...principal, upstream: { kind: 'pool' } as Principal['upstream'] };
    expect(errorOf(() => toChatJob(req, pooled, 'r', defaults)).body.message).toMatch(/Route this model to API keys or Codex accounts \(\/admin\/v1\/routes\)/);
  });

  it('carries stop sequences as a list, a single string and empty ones included', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(toChatJob(parseChatRequest({ ...base, stop: 'END' }), principal, 'r', defaults).stop).toEqual(['END']);
    expect(toChatJob(parseChatRequest({ ...base, stop: ['a', '', 'b'] }), principal, 'r', defaults).stop).toEqual(['a', 'b']);
    expect(toChatJob(parseChatRequest({ ...base, stop: [] }), principal, 'r', defaults).stop).toBeUndefined();
    expect(errorOf(() => parseChatRequest({ ...base, stop: ['1', '2', '3', '4', '5'] })).body.param).toBe('stop');
  });

  it.each(['none', 'xhigh'])('accepts reasoning_effort %s', (effort) => {
    const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: effort });
    expect(toChatJob(req, principal, 'r', defaults).reasoningEffort).toBe(effort);
  });

  it('accepts n=1 and response_format text', () => {
    const req = parseChatRequest({ model: 'm', n: 1, response_format: { type: 'text' }, messages: [{ role: 'user', content: 'x' }] });
    expect(toChatJob(req, principal, 'r', defaults).stream).toBe(false);
  });
});
