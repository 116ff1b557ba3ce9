import { describe, expect, it } from '@jest/globals';
import { BaseUrlRotation, neverReachedUpstream } from './base-url-rotation.js';

describe('BaseUrlRotation', () => {
  it('takes the bases in turn', () => {
    const r = new BaseUrlRotation(['a', 'b', 'c']);
    expect(r.order(0)[0]).toBe('a');
    expect(r.order(0)[0]).toBe('b');
    expect(r.order(0)[0]).toBe('c');
    expect(r.order(0)).toEqual(['a', 'b', 'c']);
  });

  it('passes over an unreachable base until its cool-down ends, then uses it again', () => {
    const r = new BaseUrlRotation(['a', 'b']);
    r.unreachable('a', 1000);
    expect(r.order(2000)).toEqual(['b', 'a']);
    expect(r.order(2000)).toEqual(['b', 'a']);
    // Cool-down over: back in its turn.
    expect(r.order(1000 + 30_001)).toEqual(['a', 'b']);
  });

  it('still offers cooling bases, soonest free first, when none is usable', () => {
    const r = new BaseUrlRotation(['a', 'b']);
    r.unreachable('a', 2000);
    r.unreachable('b', 1000);
    expect(r.order(3000)).toEqual(['b', 'a']);
  });

  it('knows which errors never reached the upstream', () => {
    expect(neverReachedUpstream({ code: 'ECONNREFUSED' })).toBe(true);
    expect(neverReachedUpstream({ code: 'UND_ERR_SOCKET' })).toBe(false);
  });
});
