import { describe, expect, it } from '@jest/globals';
import { ChoiceGuard } from './choice-guard.js';

const ID = { id: 'chatcmpl-1', created: 1, model: 'gpt-5.4' };
const content = (frames: string) =>
  frames
    .split('\n\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)).choices[0])
    .map((c) => `${c.delta.content ?? ''}${c.finish_reason ? `|${c.finish_reason}` : ''}`)
    .join('');

describe('ChoiceGuard', () => {
  it('holds a tail that may become a stop sequence, and cuts before it', () => {
    const guard = new ChoiceGuard(ID, false, ['END'], undefined);
    let out = guard.delta('one E', undefined) + guard.delta('N', undefined);
    expect(content(out)).toBe('one ');
    out += guard.delta('D and more', undefined);
    expect(guard.cut).toBe('stop');
    out += guard.delta('ignored', undefined) + guard.toolCallArguments(0, '{}') + guard.finish('stop');
    expect(content(out)).toBe('one |stop');
    expect(guard.content).toBe('one ');
  });

  it('releases a held tail at the end when no stop sequence came', () => {
    const guard = new ChoiceGuard(ID, false, ['END'], undefined);
    const out = guard.delta('the E', undefined) + guard.finish('stop');
    expect(content(out)).toBe('the E|stop');
  });

  it('spends max_tokens on reasoning and answer together, then finishes with length', () => {
    const guard = new ChoiceGuard(ID, false, [], 4);
    const out = guard.delta(undefined, 'think think') + guard.delta('a b c d e f', undefined) + guard.finish('tool_calls');
    expect(guard.cut).toBe('length');
    expect(guard.reasoning).toBe('think think');
    expect(content(out)).toMatch(/\|length$/);
    expect(guard.content.length).toBeLessThan('a b c d e f'.length);
  });
});
