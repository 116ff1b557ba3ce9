import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MODEL_ROUTES, routeModel } from '@chatgate/contracts';
import { servesModel } from '@chatgate/contracts';

describe('model routing', () => {
  it('sends only the platform-only model families to the platform by default', () => {
    for (const model of ['text-embedding-3-small', 'dall-e-3', 'gpt-image-1', 'whisper-1', 'gpt-3.5-turbo-instruct', 'davinci-002']) expect(routeModel(undefined, model)).toBe('platform');
    for (const model of ['gpt-4o', 'gpt-3.5-turbo', 'o3-mini', 'g-abc123', 'tts-1-hd']) expect(routeModel(undefined, model)).toBe('chatgpt');
    expect(routeModel(DEFAULT_MODEL_ROUTES, 'dall-e-2')).toBe('platform');
  });

  it('takes the first matching rule, globs case-insensitive and anchored', () => {
    const routes = [
      { model: 'gpt-4o-mini', upstream: 'chatgpt' as const },
      { model: 'gpt-4o*', upstream: 'platform' as const },
      { model: 'o?-mini', upstream: 'platform' as const },
    ];
    expect(routeModel(routes, 'gpt-4o-mini')).toBe('chatgpt');
    expect(routeModel(routes, 'GPT-4o-2024-08-06')).toBe('platform');
    expect(routeModel(routes, 'o3-mini')).toBe('platform');
    expect(routeModel(routes, 'o3-mini-high')).toBe('chatgpt');
    expect(routeModel(routes, 'xgpt-4o')).toBe('chatgpt');
    // A table of its own replaces the default entirely.
    expect(routeModel(routes, 'text-embedding-3-small')).toBe('chatgpt');
    expect(routeModel([{ model: 'a.b', upstream: 'platform' }], 'axb')).toBe('chatgpt');
  });

  it('lets a key serve any model without a list, else only its names and globs', () => {
    expect(servesModel(null, 'gpt-4o')).toBe(true);
    expect(servesModel([], 'gpt-4o')).toBe(true);
    expect(servesModel(['gpt-4o', 'text-embedding-*'], 'text-embedding-3-large')).toBe(true);
    expect(servesModel(['gpt-4o', 'text-embedding-*'], 'gpt-4o-mini')).toBe(false);
  });
});
