import { describe, expect, it } from '@jest/globals';
import {
  composeEnvironment,
  composeFile,
  composeSeconds,
  containerVariables,
  find,
  literalEnv,
  OVERLAYS,
  podSpec,
  renderOverlays,
  schemaKeys,
  SERVICE_NAMES,
  type ServiceName,
} from '../support/deployments.js';

/**
 * Variables a service's schema reads that no deployment sets, on purpose. Keep each reason true: a
 * variable listed here that a deployment does set, or that no schema reads, fails the test.
 */
/** Other ways to authenticate to NATS than the per-service users the deployed NATS config (deploy/nats) defines. */
const NATS_ALTERNATIVES = {
  NATS_TOKEN: 'a NATS token instead of the deployed per-service users',
  NATS_CREDS: 'a .creds file (decentralised NATS auth) instead of the deployed per-service users',
};

const NOT_FOR_DEPLOYMENTS: Record<ServiceName, Record<string, string>> = {
  gateway: { USAGE_STREAM_SUFFIX: 'test stacks only', ...NATS_ALTERNATIVES },
  auth: {
    // authEnv declares it, but the admin credential is checked by the gateway alone: the secret stays there.
    ADMIN_PASSWORD: 'read by no auth code',
    ...NATS_ALTERNATIVES,
  },
  conversation: {
    // Names a test stack's own usage stream, subject and consumer; a deployment uses the real ones.
    USAGE_STREAM_SUFFIX: 'test stacks only',
    ...NATS_ALTERNATIVES,
  },
  voice: { USAGE_STREAM_SUFFIX: 'test stacks only', ...NATS_ALTERNATIVES },
  usage: { USAGE_STREAM_SUFFIX: 'test stacks only', ...NATS_ALTERNATIVES },
};

/** Variables deployments set that no schema reads, because something else reads them. */
const READ_OUTSIDE_THE_SCHEMAS: Record<string, string> = {
  // deploy/docker/entrypoint.sh and healthcheck.mjs: which service the one image runs.
  SERVICE: 'the image',
};

function problems(service: ServiceName, set: string[]): { missing: string[]; unread: string[]; staleAllowList: string[] } {
  const read = new Set(schemaKeys(service));
  const allowed = NOT_FOR_DEPLOYMENTS[service];
  return {
    missing: [...read].filter((key) => !set.includes(key) && !(key in allowed)).sort(),
    unread: set.filter((key) => !read.has(key) && !(key in READ_OUTSIDE_THE_SCHEMAS)).sort(),
    staleAllowList: Object.keys(allowed).filter((key) => set.includes(key) || !read.has(key)),
  };
}

describe('every setting the code reads reaches the services', () => {
  describe('docker-compose.yml', () => {
    const services = composeFile().services;

    it.each(SERVICE_NAMES)('passes %s every variable its schema reads, and nothing else', (service) => {
      expect(services[service]).toBeDefined();
      expect(problems(service, Object.keys(composeEnvironment(services[service])))).toEqual({ missing: [], unread: [], staleAllowList: [] });
    });

    it.each(SERVICE_NAMES)('gives %s a stop grace above its SHUTDOWN_GRACE_MS', (service) => {
      const graceMs = Number(composeEnvironment(services[service]).SHUTDOWN_GRACE_MS);
      expect(graceMs).toBeGreaterThan(0);
      expect(composeSeconds(services[service].stop_grace_period ?? '10s') * 1000).toBeGreaterThanOrEqual(graceMs + 5000);
    });
  });

  describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay) => {
    const resources = renderOverlays()[overlay];

    it.each(SERVICE_NAMES)('passes %s every variable its schema reads, and nothing else', (service) => {
      const deployment = find(resources, 'Deployment', service);
      expect(deployment).toBeDefined();
      const [container] = podSpec(deployment!).containers;
      expect(literalEnv(container, 'SERVICE')).toBe(service);
      expect(problems(service, containerVariables(resources, container))).toEqual({ missing: [], unread: [], staleAllowList: [] });
    });
  });
});
