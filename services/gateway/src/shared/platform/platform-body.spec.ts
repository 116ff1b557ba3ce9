import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../errors/api-error.js';
import { platformBodyOf, platformModelOf } from './platform-body.js';
import { modelsOfListing } from './platform-models.js';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? { status: err.status, ...err.body } : err;
  }
  throw new Error('did not throw');
};

describe('platform request bodies', () => {
  it('takes only JSON objects', () => {
    for (const raw of [null, [1], 'text', 3]) expect(errorOf(() => platformBodyOf(raw))).toMatchObject({ status: 400, code: 'invalid_body' });
    const body = { model: 'x' };
    expect(platformBodyOf(body)).toBe(body);
  });

  it('reads the model and, for chat, that messages are there; nothing else is judged', () => {
    expect(platformModelOf('/chat/completions', { model: 'gpt-4o', messages: [], n: 9, tools: 'anything', reasoning_effort: 'xhigh' })).toBe('gpt-4o');
    expect(errorOf(() => platformModelOf('/chat/completions', { messages: [] }))).toMatchObject({ status: 400, param: 'model', code: 'missing_required_parameter' });
    expect(errorOf(() => platformModelOf('/chat/completions', { model: 'gpt-4o' }))).toMatchObject({ status: 400, param: 'messages', code: 'missing_required_parameter' });
    expect(errorOf(() => platformModelOf('/chat/completions', { model: 'gpt-4o', messages: 'hi' }))).toMatchObject({ status: 400, param: 'messages', code: 'invalid_value' });
    expect(errorOf(() => platformModelOf('/embeddings', { model: 42, input: 'x' }))).toMatchObject({ status: 400, param: 'model', code: 'invalid_value' });
    expect(errorOf(() => platformModelOf('/completions', { prompt: 'x' }))).toMatchObject({ status: 400, param: 'model' });
  });

  it('checks the model as every route does: one line, valid Unicode, at most 200 characters', () => {
    for (const model of ['gpt-4o\u0000', 'dall-e-3\r\n', 'text-embedding-3-small\uD800', 'x'.repeat(201)]) {
      for (const path of ['/chat/completions', '/embeddings', '/images/generations', '/audio/speech'] as const) {
        expect(errorOf(() => platformModelOf(path, { model, messages: [] }))).toMatchObject({ status: 400, param: 'model', code: 'invalid_value', type: 'invalid_request_error' });
      }
    }
    expect(platformModelOf('/chat/completions', { model: 'ft:gpt-4o-mini:acme::x1', messages: [] })).toBe('ft:gpt-4o-mini:acme::x1');
  });

  it("names OpenAI's default image model when an image request names none", () => {
    const body: Record<string, unknown> = { prompt: 'a lighthouse' };
    expect(platformModelOf('/images/generations', body)).toBe('dall-e-2');
    expect(body).toEqual({ prompt: 'a lighthouse', model: 'dall-e-2' });
  });
});

describe('platform models listing', () => {
  const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

  it('reads ids and owners of an upstream listing, skipping entries without an id', () => {
    expect(modelsOfListing(bytes({ object: 'list', data: [{ id: 'text-embedding-3-small', owned_by: 'system' }, { id: 'dall-e-3' }, { owned_by: 'x' }, { id: '' }] }))).toEqual([
      { id: 'text-embedding-3-small', ownedBy: 'system' },
      { id: 'dall-e-3', ownedBy: 'openai' },
    ]);
  });

  it('lists nothing for what is not a listing', () => {
    for (const v of ['<html>', { error: { message: 'x' } }, { data: 'nope' }, 'null']) expect(modelsOfListing(bytes(v))).toEqual([]);
  });
});
