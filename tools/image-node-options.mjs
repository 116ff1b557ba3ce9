import { readFileSync } from 'node:fs';

/**
 * The Node.js options the image runs every service with (`NODE_OPTIONS` in deploy/Dockerfile), as
 * command-line arguments: run-stack, the bench and the tests that start a service as a process of
 * its own start it as production does, V8's heap sizing included. One place to change them.
 */
export function imageNodeOptions() {
  const dockerfile = readFileSync(new URL('../deploy/Dockerfile', import.meta.url), 'utf8');
  const found = /^\s*NODE_OPTIONS="([^"]*)"/m.exec(dockerfile);
  if (!found) throw new Error('deploy/Dockerfile sets no NODE_OPTIONS="..."');
  return found[1].split(/\s+/).filter(Boolean);
}
