import { describe, expect, it } from '@jest/globals';
import { StopSequenceCutter } from '../../src/openai/stop-sequences.js';

/** Feeds the deltas, returns what went out and whether it stopped. */
function run(stops: string[], deltas: string[]) {
  const cutter = new StopSequenceCutter(stops);
  const out = deltas.map((d) => cutter.take(d)).join('') + cutter.end();
  return { out, stopped: cutter.stopped };
}

describe('StopSequenceCutter', () => {
  it('cuts before the stop sequence and sends nothing after it', () => {
    expect(run(['END'], ['Hello wor', 'ld END of', ' story'])).toEqual({ out: 'Hello world ', stopped: true });
  });

  it('finds a stop sequence split across deltas, one character at a time too', () => {
    const text = 'one\n\ntwo';
    expect(run(['\n\n'], [...text])).toEqual({ out: 'one', stopped: true });
    expect(run(['\n\n'], ['one\n', '\ntwo'])).toEqual({ out: 'one', stopped: true });
  });

  it('holds back a possible start and releases it when it was not one', () => {
    const cutter = new StopSequenceCutter(['STOP']);
    expect(cutter.take('go ST')).toBe('go ');
    expect(cutter.take('ART')).toBe('START');
    expect(cutter.take(' S')).toBe(' ');
    expect(cutter.end()).toBe('S');
    expect(cutter.stopped).toBe(false);
  });

  it('cuts at the earliest of several sequences; same text whatever the chunking', () => {
    const text = 'alpha beta gamma delta';
    for (let size = 1; size <= text.length; size++) {
      const deltas = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(run(['delta', 'ta g'], deltas)).toEqual({ out: 'alpha be', stopped: true });
    }
  });

  it('passes everything through without stop sequences', () => {
    expect(run([], ['a', 'b'])).toEqual({ out: 'ab', stopped: false });
    expect(run([''], ['a'])).toEqual({ out: 'a', stopped: false });
  });
});
