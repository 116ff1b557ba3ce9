import { describe, expect, it } from '@jest/globals';
import { readCapped } from './read-capped.js';

function body(parts: string[]) {
  const read: string[] = [];
  let destroyed = false;
  return {
    read,
    get destroyed() {
      return destroyed;
    },
    async *[Symbol.asyncIterator]() {
      for (const part of parts) {
        read.push(part);
        yield new TextEncoder().encode(part);
      }
    },
    destroy() {
      destroyed = true;
    },
  };
}

describe('readCapped', () => {
  it('reads a small body whole, and leaves it alone', async () => {
    const b = body(['{"error":', '{"message":"no"}}']);
    expect(await readCapped(b)).toBe('{"error":{"message":"no"}}');
    expect(b.destroyed).toBe(false);
  });

  it('stops at the limit: reads no further chunk, destroys the body, returns at most the limit', async () => {
    const b = body(['a'.repeat(6), 'b'.repeat(6), 'c'.repeat(6)]);
    expect(await readCapped(b, 10)).toBe('aaaaaabbbb');
    expect(b.read).toHaveLength(2);
    expect(b.destroyed).toBe(true);
  });
});
