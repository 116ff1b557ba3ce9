import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { natsPasswordVariable } from '@chatgate/contracts';
// The renderer deploy/nats/authorization.conf was written with.
import { renderDeployedAuthorization } from '../../tools/render-nats-config.mjs';
import { composeEnvironment, composeFile, find, OVERLAYS, podSpec, renderOverlays, SERVICE_NAMES } from '../support/deployments.js';

const NATS_DIR = fileURLToPath(new URL('../../deploy/nats/', import.meta.url));
const NATS_SERVER = '/usr/sbin/nats-server';

function natsServerAvailable(): boolean {
  try {
    execFileSync(NATS_SERVER, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('deploy/nats', () => {
  it('grants each service the permissions libs/contracts gives it (authorization.conf is generated: tools/render-nats-config.mjs)', () => {
    expect(readFileSync(`${NATS_DIR}authorization.conf`, 'utf8')).toBe(renderDeployedAuthorization());
  });

  (natsServerAvailable() ? it : it.skip)('is a configuration nats-server accepts once the passwords are in its environment, and refuses without them', () => {
    const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [natsPasswordVariable(s), `pw-${s}`]));
    expect(() => execFileSync(NATS_SERVER, ['-c', `${NATS_DIR}nats-server.conf`, '-t'], { env: { ...passwords }, stdio: 'pipe' })).not.toThrow();
    expect(() => execFileSync(NATS_SERVER, ['-c', `${NATS_DIR}nats-server.conf`, '-t'], { env: {}, stdio: 'pipe' })).toThrow();
  });

  it('gives each compose service its own NATS user and password', () => {
    const services = composeFile().services;
    for (const service of SERVICE_NAMES) {
      const env = composeEnvironment(services[service]);
      expect([service, env.NATS_USER, env.NATS_PASSWORD]).toEqual([service, service, `\${${natsPasswordVariable(service)}:-}`]);
    }
    const nats = composeEnvironment(services.nats);
    for (const service of SERVICE_NAMES) expect(nats[natsPasswordVariable(service)]).toBe(`\${${natsPasswordVariable(service)}:-}`);
  });

  it.each(OVERLAYS)('gives each Kubernetes service (%s) its own NATS user and its password from the Secret', (overlay) => {
    const resources = renderOverlays()[overlay];
    for (const service of SERVICE_NAMES) {
      const [container] = podSpec(find(resources, 'Deployment', service)!).containers;
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
      expect(env.NATS_USER?.value).toBe(service);
      expect(env.NATS_PASSWORD?.valueFrom?.secretKeyRef).toEqual({ name: 'chatgate-secrets', key: natsPasswordVariable(service) });
    }
  });
});
