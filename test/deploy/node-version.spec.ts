import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

/** One Node.js version for CI (.ci/run fetches .node-version), the image and package.json's engines. */
describe('the Node.js version', () => {
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
  const pinned = read('.node-version').trim();

  it('is one exact version', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is the base of every image', () => {
    const images = [...read('deploy/Dockerfile').matchAll(/^ARG NODE_IMAGE=node:(\S+)$/gm)].map((m) => m[1]);
    expect(images).toEqual([`${pinned}-bookworm-slim`]);
  });

  it("is what package.json's engines and the lockfile ask for", () => {
    const major = pinned.split('.')[0];
    const range = `>=${pinned} <${Number(major) + 1}`;
    expect(JSON.parse(read('package.json')).engines.node).toBe(range);
    expect(JSON.parse(read('package-lock.json')).packages[''].engines.node).toBe(range);
  });
});
