import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { imageMemoryEnv, imageNodeOptions } from '../support/image-node-options.js';

const MiB = 2 ** 20;

/** Allocates fast with some survivors (as a worker relaying long streams does); prints the largest new space seen. */
const ALLOCATE = `
const v8 = require('node:v8');
let kept = [], largest = 0;
for (let round = 0; round < 100; round++) {
  for (let i = 0; i < 10000; i++) kept.push({ text: 'x'.repeat(50) + i, at: [i, round] });
  if (kept.length > 200000) kept = [];
  largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
console.log(largest);`;

function largestNewSpace(options: string[]): number {
  const run = spawnSync(process.execPath, [...options, '-e', ALLOCATE], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.trim());
}

/**
 * V8's young generation: Node 24's V8 (13.6) grows it to 2 x 64 MiB in a process that allocates fast,
 * four times what Node 20's did, RSS no stream window accounts for. The image bounds it at 2 x 8 MiB
 * (deploy/Dockerfile's NODE_OPTIONS), and keeps glibc to two malloc arenas.
 */
describe("the image's Node.js options", () => {
  it('bound the young generation', () => {
    expect(imageNodeOptions()).toContain('--max-semi-space-size=8');
    // Two 8 MiB semi-spaces; V8 13 counts pages it is promoting as in the new space too, so it reads
    // up to 36 MiB at times (48 with 16 MiB semi-spaces; unbounded it reaches 128 MiB under Node 24).
    expect(largestNewSpace(imageNodeOptions())).toBeLessThan(48 * MiB);
    expect(largestNewSpace([])).toBeGreaterThan(64 * MiB);
  });

  it('keep glibc to two malloc arenas, large blocks mapped on their own', () => {
    expect(imageMemoryEnv()).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '65536' });
  });
});
