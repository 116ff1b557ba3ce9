import { describe, it, expect } from '@jest/globals';
import { isReasoningSlug, ModelTable, parseModelMap } from './model-table.js';
import { limitEntryModel, limitModelOf, snapshotBase } from './limit-model.js';

describe('ModelTable', () => {
  const table = new ModelTable('gpt-4o');
  const slug = (name: string) => {
    const r = table.resolve(name);
    return r.ok ? { slug: r.slug, gizmoId: r.gizmoId, by: r.by } : { failure: r.failure.error.code, status: r.failure.status };
  };

  it.each([
    ['o3-mini-high', 'o3-mini-high'],
    ['o3-mini', 'o3-mini'],
    ['o1-preview-2024', 'o1-preview'],
    ['o1-2024-12-17', 'o1'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['GPT-4o', 'gpt-4o'],
    ['gpt-4-turbo', 'gpt-4'],
    ['gpt-4-mobile', 'gpt-4-mobile'],
    ['gpt-3.5-turbo', 'text-davinci-002-render-sha'],
    ['auto', 'auto'],
  ])('maps the real name %s to %s by its rule', (model, expected) => {
    expect(slug(model)).toEqual({ slug: expected, gizmoId: null, by: 'rule' });
  });

  it.each(['claude-3', 'xo1', 'gpt-5', 'chatgpt-4o-latest', 'o4-mini'])('sends the plausible unknown name %s to the default model', (model) => {
    expect(slug(model)).toEqual({ slug: 'gpt-4o', gizmoId: null, by: 'default' });
  });

  it.each(['o1 ', ' o1', 'gpt 4o', 'o1\t', 'openai/gpt-4o', '-o1', ''])('refuses %j, which is not one word (400 naming model)', (model) => {
    expect(slug(model)).toEqual({ failure: 'invalid_value', status: 400 });
    const r = table.resolve(model);
    if (!r.ok) expect(r.failure.error.param).toBe('model');
  });

  it.each(['my-o1', 'ft:o1:acme', 'best-gpt-4o', 'my_o3-mini'])('refuses %s, which holds a model name it would not reach (404)', (model) => {
    expect(slug(model)).toEqual({ failure: 'model_not_found', status: 404 });
  });

  it('maps GPT names to gizmo mode, keeping the id as written', () => {
    expect(slug('gpt-4-gizmo-g-abc123')).toEqual({ slug: 'gpt-4o', gizmoId: 'g-abc123', by: 'gizmo' });
    expect(slug('g-XyZ')).toEqual({ slug: 'gpt-4o', gizmoId: 'g-XyZ', by: 'gizmo' });
    expect(slug('gpt-4o-g-Abc')).toEqual({ slug: 'gpt-4o', gizmoId: 'g-Abc', by: 'gizmo' });
  });

  it('puts configured rules before the built-in ones, matched by name or name-…', () => {
    const custom = new ModelTable('auto', JSON.stringify({ 'gpt-4o': 'gpt-5', mine: 'o3' }));
    expect(custom.resolve('gpt-4o')).toMatchObject({ ok: true, slug: 'gpt-5' });
    expect(custom.resolve('mine-1')).toMatchObject({ ok: true, slug: 'o3' });
    expect(custom.resolve('unknown')).toMatchObject({ ok: true, slug: 'auto', by: 'default' });
    // A configured rule is a name too: it is not found inside other names.
    expect(custom.resolve('not-mine')).toMatchObject({ ok: false });
  });

  it('refuses a MODEL_MAP it cannot read, naming the entry', () => {
    expect(() => parseModelMap('{')).toThrow(/MODEL_MAP: not JSON/);
    expect(() => parseModelMap('{"my model": "gpt-4o"}')).toThrow(/"my model" is not a model name/);
    expect(parseModelMap(undefined)).toEqual([]);
  });

  it('lists each client name once', () => {
    const ids = table.listed().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('gpt-3.5-turbo');
    expect(ids).toContain('gpt-4o');
  });
});

describe('limit models', () => {
  const table = new ModelTable('gpt-4o');

  it('counts a request under the model it reaches, without its snapshot', () => {
    expect(limitModelOf('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(limitModelOf('gpt-3.5-turbo-0125')).toBe('gpt-3.5-turbo');
    expect(limitModelOf('xo1', 'gpt-4o')).toBe('gpt-4o');
    expect(limitModelOf('GPT-4o')).toBe('gpt-4o');
    expect(snapshotBase('o1')).toBe('o1');
  });

  it('reads a limit entry through the table for ChatGPT requests, as written otherwise', () => {
    expect(limitEntryModel('gpt-3.5-turbo', table)).toBe('text-davinci-002-render-sha');
    expect(limitEntryModel('o1', table)).toBe('o1');
    expect(limitEntryModel('claude-3', table)).toBe('claude-3');
    expect(limitEntryModel('gpt-3.5-turbo', null)).toBe('gpt-3.5-turbo');
  });
});

describe('isReasoningSlug', () => {
  it.each([
    ['o1', true], ['o3-mini-high', true], ['o4-mini', true], ['gpt-5', true], ['gpt-5-thinking', true], ['gpt-5.4', true],
    ['gpt-4o', false], ['gpt-4o-mini', false], ['gpt-4.1', false], ['auto', false], ['text-davinci-002-render-sha', false], ['gpt-5-instant', false], ['gpt-5-chat-latest', false],
  ])('%s → %s', (slug, reasons) => {
    expect(isReasoningSlug(slug)).toBe(reasons);
  });
});
