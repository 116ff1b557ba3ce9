import { describe, it, expect } from '@jest/globals';
import { SseParser } from '../src/sse-parser.js';
import { bytes, parseSse } from './helpers.js';

const STREAM =
  'event: delta_encoding\r\ndata: "v1"\r\n\r\n' +
  ': keep-alive comment\n' +
  'event: delta\ndata: {"v":"héllo 👋 世界"}\n\n' +
  'data: line one\rdata: line two\r\r' +
  'id: 7\nretry: 1000\ndata:no-space\ndata:  two-spaces\n\n' +
  'data: [DONE]\n\n';

const EXPECTED = [
  { event: 'delta_encoding', data: '"v1"' },
  { event: 'delta', data: '{"v":"héllo 👋 世界"}' },
  { event: undefined, data: 'line one\nline two' },
  { event: undefined, data: 'no-space\n two-spaces' },
  { event: undefined, data: '[DONE]' },
];

describe('SseParser', () => {
  it('parses a whole buffer: event names, CRLF/CR/LF, comments, multi-line data, field spacing', () => {
    expect(parseSse([STREAM])).toEqual(EXPECTED);
    expect(parseSse([bytes(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same events when the bytes are split at every position', () => {
    const all = bytes(STREAM);
    for (let cut = 0; cut <= all.length; cut++) {
      expect(parseSse([all.subarray(0, cut), all.subarray(cut)])).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const all = bytes(STREAM);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < all.length; i++) chunks.push(all.subarray(i, i + 1));
    expect(parseSse(chunks)).toEqual(EXPECTED);
  });

  it('gives the same events when the string is split at every position', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect(parseSse([STREAM.slice(0, cut), STREAM.slice(cut)])).toEqual(EXPECTED);
    }
  });

  it('reassembles multi-byte UTF-8 (emoji, CJK) split inside a character', () => {
    const text = 'data: 日本語 🎉🇵🇱 ok\n\n';
    const all = bytes(text);
    for (let a = 1; a < all.length; a++) {
      for (let b = a; b < all.length; b++) {
        const events = parseSse([all.subarray(0, a), all.subarray(a, b), all.subarray(b)]);
        expect(events).toEqual([{ event: undefined, data: '日本語 🎉🇵🇱 ok' }]);
      }
    }
  });

  it('treats CR at the end of one chunk and LF at the start of the next as one line end', () => {
    const p = new SseParser();
    expect(p.push('data: a\r')).toEqual([]);
    // If the LF counted as a second line end, "a" would be dispatched on its own here.
    expect(p.push('\ndata: b\r\n')).toEqual([]);
    expect(p.push('\r\n')).toEqual([{ event: undefined, data: 'a\nb' }]);
  });

  it('dispatches an event as soon as its blank line arrives, not before', () => {
    const p = new SseParser();
    expect(p.push('event: delta\ndata: {"v":1}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'delta', data: '{"v":1}' }]);
  });

  it('ignores comments and events without data, and does not leak an event name into the next event', () => {
    expect(parseSse([': ping\n\nevent: lonely\n\n:comment only\ndata: x\n\n'])).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('reads only the fields named exactly data and event; a value keeps its colons; a bare event clears the name', () => {
    const stream = 'database: no\ndataa:no\nevents: no\ndata: a:b: c\n\nevent: x\nevent\ndata\ndata: two\n\n';
    expect(parseSse([stream])).toEqual([
      { event: undefined, data: 'a:b: c' },
      { event: undefined, data: '\ntwo' },
    ]);
    for (let cut = 0; cut <= stream.length; cut++) expect(parseSse([stream.slice(0, cut), stream.slice(cut)])).toEqual(parseSse([stream]));
  });

  it('keeps an empty data line as an event with empty data', () => {
    expect(parseSse(['data:\n\ndata\n\n'])).toEqual([
      { event: undefined, data: '' },
      { event: undefined, data: '' },
    ]);
  });

  it('strips a leading BOM from string and byte input', () => {
    expect(parseSse(['\uFEFFdata: a\n\n'])).toEqual([{ event: undefined, data: 'a' }]);
    expect(parseSse([new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: a\n\n')])])).toEqual([{ event: undefined, data: 'a' }]);
  });

  it('end() flushes a last event that lacks its blank line, and a last line that lacks its terminator', () => {
    const p = new SseParser();
    expect(p.push('data: x\n\ndata: tail')).toEqual([{ event: undefined, data: 'x' }]);
    expect(p.end()).toEqual([{ event: undefined, data: 'tail' }]);
  });

  it('end() turns a truncated UTF-8 sequence into U+FFFD instead of dropping or throwing', () => {
    const euro = bytes('€'); // 3 bytes
    const p = new SseParser();
    expect(p.push(new Uint8Array([...bytes('data: '), euro[0], euro[1]]))).toEqual([]);
    expect(p.end()).toEqual([{ event: undefined, data: '\uFFFD' }]);
  });

  it('handles many events in one chunk and one long line in many chunks', () => {
    const many = Array.from({ length: 2000 }, (_, i) => `data: ${i}\n\n`).join('');
    const events = parseSse([many]);
    expect(events).toHaveLength(2000);
    expect(events[1999]).toEqual({ event: undefined, data: '1999' });

    const long = 'x'.repeat(100_000);
    const p = new SseParser();
    p.push('data: ');
    for (let i = 0; i < long.length; i += 1000) expect(p.push(long.slice(i, i + 1000))).toEqual([]);
    expect(p.push('\n\n')).toEqual([{ event: undefined, data: long }]);
  });
});
