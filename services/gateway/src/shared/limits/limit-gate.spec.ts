import { describe, expect, it } from '@jest/globals';
import { ModelTable, type ModelLimit } from '@chatgate/contracts';
import { limitsFor } from './limit-gate.js';

describe('limitsFor: which limits count a request', () => {
  const table = new ModelTable('gpt-4o');
  const limits: ModelLimit[] = [
    { model: 'o1', everyMinutes: 60, count: 5 },
    { model: 'gpt-4o', everyMinutes: 60, count: 50 },
    { model: 'gpt-3.5-turbo', everyMinutes: 1, count: 3 },
    { model: 'claude-3', everyMinutes: 1, count: 1 },
  ];
  const names = (use: Parameters<typeof limitsFor>[1]) => limitsFor(limits, use, table).map((l) => l.model);

  it('counts a chat under the model it reaches, whatever name it was sent with', () => {
    expect(names({ model: 'o1-2024-12-17', resolvedModel: 'o1', viaTable: true })).toEqual(['o1']);
    expect(names({ model: 'xo1', resolvedModel: 'gpt-4o', viaTable: true })).toEqual(['gpt-4o']);
    expect(names({ model: 'GPT-4o-2024-08-06', resolvedModel: 'gpt-4o', viaTable: true })).toEqual(['gpt-4o']);
    expect(names({ model: 'gpt-3.5-turbo-0125', resolvedModel: 'text-davinci-002-render-sha', viaTable: true })).toEqual(['gpt-3.5-turbo']);
    // A name no rule names is about that model only (its chats reach the default model, counted there).
    expect(names({ model: 'claude-3', resolvedModel: 'gpt-4o', viaTable: true })).toEqual(['gpt-4o']);
  });

  it('counts the web protocol by the slug it names, and platform models by name without their snapshot', () => {
    expect(names({ model: 'text-davinci-002-render-sha', viaTable: true })).toEqual(['gpt-3.5-turbo']);
    expect(names({ model: 'gpt-4o-2024-08-06' })).toEqual(['gpt-4o']);
    expect(names({ model: 'claude-3' })).toEqual(['claude-3']);
    expect(names({ model: 'o1-mini' })).toEqual([]);
  });
});
