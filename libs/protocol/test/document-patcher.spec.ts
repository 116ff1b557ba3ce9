import { describe, it, expect } from '@jest/globals';
import { applyOperation, applyPatchOrOperation, parsePointer, type DocumentHolder } from '../src/document-patcher.js';

function apply(value: unknown, pointer: string, op: string, v: unknown): { holder: DocumentHolder; ok: boolean } {
  const holder: DocumentHolder = { value };
  const path = parsePointer(pointer);
  if (path === null) throw new Error(`bad pointer ${pointer}`);
  return { holder, ok: applyOperation(holder, path, op, v) };
}

describe('parsePointer', () => {
  it('splits and unescapes', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/message/content/parts/0')).toEqual(['message', 'content', 'parts', '0']);
    expect(parsePointer('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
    expect(parsePointer('/')).toEqual(['']);
    expect(parsePointer('message')).toBeNull();
  });
});

describe('applyOperation', () => {
  it('add sets object keys, inserts into arrays, pushes with "-", and replaces the root at ""', () => {
    expect(apply({ a: 1 }, '/b', 'add', 2).holder.value).toEqual({ a: 1, b: 2 });
    expect(apply({ l: ['a', 'c'] }, '/l/1', 'add', 'b').holder.value).toEqual({ l: ['a', 'b', 'c'] });
    expect(apply({ l: ['a'] }, '/l/-', 'add', 'b').holder.value).toEqual({ l: ['a', 'b'] });
    expect(apply({ l: ['a'] }, '/l/1', 'add', 'b').holder.value).toEqual({ l: ['a', 'b'] });
    expect(apply({ old: true }, '', 'add', { fresh: 1 }).holder.value).toEqual({ fresh: 1 });
  });

  it('replace overwrites values in objects and arrays', () => {
    expect(apply({ m: { status: 'in_progress' } }, '/m/status', 'replace', 'finished_successfully').holder.value).toEqual({
      m: { status: 'finished_successfully' },
    });
    expect(apply({ parts: ['old'] }, '/parts/0', 'replace', 'new').holder.value).toEqual({ parts: ['new'] });
  });

  it('remove deletes object keys and array elements', () => {
    expect(apply({ a: 1, b: 2 }, '/a', 'remove', undefined).holder.value).toEqual({ b: 2 });
    expect(apply({ l: [1, 2, 3] }, '/l/1', 'remove', undefined).holder.value).toEqual({ l: [1, 3] });
    expect(apply({ a: 1 }, '/zz', 'remove', undefined).ok).toBe(false);
  });

  it('append concatenates strings', () => {
    expect(apply({ parts: ['Hel'] }, '/parts/0', 'append', 'lo').holder.value).toEqual({ parts: ['Hello'] });
  });

  it('append pushes onto arrays, spreading an array value', () => {
    expect(apply({ t: [{ n: 1 }] }, '/t', 'append', [{ n: 2 }, { n: 3 }]).holder.value).toEqual({ t: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(apply({ t: ['a'] }, '/t', 'append', 'b').holder.value).toEqual({ t: ['a', 'b'] });
  });

  it('append merges objects shallowly', () => {
    const { holder } = apply({ metadata: { model_slug: 'gpt-4o' } }, '/metadata', 'append', { finish_details: { type: 'stop' } });
    expect(holder.value).toEqual({ metadata: { model_slug: 'gpt-4o', finish_details: { type: 'stop' } } });
  });

  it('append to a missing key sets it, creating missing parents', () => {
    expect(apply({}, '/message/metadata/citations', 'append', [1]).holder.value).toEqual({ message: { metadata: { citations: [1] } } });
  });

  it('truncate shortens strings and arrays and ignores anything else', () => {
    expect(apply({ s: 'abcdef' }, '/s', 'truncate', 3).holder.value).toEqual({ s: 'abc' });
    expect(apply({ l: [1, 2, 3] }, '/l', 'truncate', 1).holder.value).toEqual({ l: [1] });
    expect(apply({ s: 'abc' }, '/s', 'truncate', 'x').holder.value).toEqual({ s: 'abc' });
  });

  it('reports unknown operations and impossible paths without throwing', () => {
    expect(apply({ a: 1 }, '/a', 'frobnicate', 2)).toEqual({ holder: { value: { a: 1 } }, ok: false });
    expect(apply({ a: 'text' }, '/a/b', 'replace', 2)).toEqual({ holder: { value: { a: 'text' } }, ok: false });
    expect(apply({ l: [] }, '/l/x', 'add', 2).ok).toBe(false);
    expect(apply('scalar', '/a', 'add', 1).ok).toBe(false);
  });

  it('never writes into prototypes', () => {
    apply({}, '/__proto__/polluted', 'add', 'yes');
    apply({}, '/constructor/prototype/polluted', 'add', 'yes');
    const merged = apply({ m: {} }, '/m', 'append', JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}')).holder.value as { m: object };
    expect(Object.getPrototypeOf(merged.m)).toBe(Object.prototype);
    expect(merged.m).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('applyPatchOrOperation', () => {
  const base = () => ({ value: { message: { status: 'in_progress', end_turn: null, content: { parts: ['Hi'] }, metadata: {} } } });

  it('applies sub-operations at absolute paths when the parent pointer is empty', () => {
    const holder = base();
    const failed = applyPatchOrOperation(holder, '', [], 'patch', [
      { p: '/message/content/parts/0', o: 'append', v: '!' },
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
      { p: '/message/metadata', o: 'append', v: { finish_details: { type: 'stop' } } },
    ]);
    expect(failed).toBe(0);
    expect(holder.value.message).toEqual({
      status: 'finished_successfully',
      end_turn: null,
      content: { parts: ['Hi!'] },
      metadata: { finish_details: { type: 'stop' } },
    });
  });

  it('applies sub-operations relative to a non-empty parent pointer, including nested patches', () => {
    const holder = base();
    const failed = applyPatchOrOperation(holder, '/message', ['message'], 'patch', [
      { p: '/content/parts/0', o: 'append', v: ' there' },
      { p: '/end_turn', o: 'replace', v: true },
      { p: '/content', o: 'patch', v: [{ p: '/parts/0', o: 'append', v: '.' }] },
    ]);
    expect(failed).toBe(0);
    expect(holder.value.message.content.parts[0]).toBe('Hi there.');
    expect(holder.value.message.end_turn).toBe(true);
  });

  it('counts sub-operations that cannot apply and applies the rest', () => {
    const holder = base();
    const failed = applyPatchOrOperation(holder, '', [], 'patch', [
      { p: '/message/status', o: 'nope', v: 1 },
      'garbage',
      { p: 'no-slash', o: 'replace', v: 1 },
      { p: '/message/status', o: 'replace', v: 'finished_successfully' },
    ]);
    expect(failed).toBe(3);
    expect(holder.value.message.status).toBe('finished_successfully');
  });
});
