import { readFileSync } from 'node:fs';

/**
 * How the image runs every service (deploy/Dockerfile): its Node.js options (`NODE_OPTIONS`) as
 * command-line arguments, and the process environment that sizes memory (glibc's `MALLOC_*`).
 * run-stack, the bench and the tests that start a service as a process of its own start it as
 * production does. One place to change them.
 */
const dockerfile = () => readFileSync(new URL('../deploy/Dockerfile', import.meta.url), 'utf8');

export function imageNodeOptions() {
  const found = /^\s*NODE_OPTIONS="([^"]*)"/m.exec(dockerfile());
  if (!found) throw new Error('deploy/Dockerfile sets no NODE_OPTIONS="..."');
  return found[1].split(/\s+/).filter(Boolean);
}

export function imageMemoryEnv() {
  return Object.fromEntries([...dockerfile().matchAll(/^\s*(MALLOC_[A-Z_]+)=(\d+)/gm)].map((m) => [m[1], m[2]]));
}
