import { describe, it, expect } from '@jest/globals';
import { ModelTable } from './model-table.js';

describe('ModelTable', () => {
  const table = new ModelTable('gpt-4o');

  it.each([
    ['o3-mini-high', 'o3-mini-high'],
    ['o3-mini', 'o3-mini'],
    ['o1-preview-2024', 'o1-preview'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4-turbo', 'gpt-4'],
    ['gpt-3.5-turbo', 'text-davinci-002-render-sha'],
    ['auto', 'auto'],
    ['claude-3', 'gpt-4o'],
  ])('maps %s to %s', (model, slug) => {
    expect(table.resolve(model)).toEqual({ slug, gizmoId: null });
  });

  it('maps GPT names to gizmo mode', () => {
    expect(table.resolve('gpt-4-gizmo-g-abc123')).toEqual({ slug: 'gpt-4o', gizmoId: 'g-abc123' });
    expect(table.resolve('g-xyz')).toEqual({ slug: 'gpt-4o', gizmoId: 'g-xyz' });
  });

  it('puts configured rules before the built-in ones', () => {
    const custom = new ModelTable('auto', JSON.stringify({ 'gpt-4o': 'gpt-5', mine: 'o3' }));
    expect(custom.resolve('gpt-4o').slug).toBe('gpt-5');
    expect(custom.resolve('mine-1').slug).toBe('o3');
    expect(custom.resolve('unknown').slug).toBe('auto');
  });

  it('lists each client name once', () => {
    const ids = table.listed().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('gpt-3.5-turbo');
    expect(ids).toContain('gpt-4o');
  });
});
