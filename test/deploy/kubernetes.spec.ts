import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import type { Resource } from '../support/kustomize.js';
import {
  find,
  keysOf,
  literalEnv,
  OVERLAYS,
  podLabels,
  podSpec,
  renderOverlays,
  selects,
  SERVICE_NAMES,
  type Container,
  type Overlay,
  type Probe,
} from '../support/deployments.js';

/** The HTTP port each service serves its probes on, and the variable that sets it. */
const PROBE_PORTS = { gateway: ['PORT', 5005], auth: ['HEALTH_PORT', 5011], conversation: ['HEALTH_PORT', 5012], voice: ['HEALTH_PORT', 5013], usage: ['HEALTH_PORT', 5014] } as const;
const AUTOSCALED = ['gateway', 'conversation'];
/** Seconds the kubelet leaves after the drain grace before it kills a pod. */
const KILL_MARGIN_SEC = 5;

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function kubectlKustomize(dir: string): Resource[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as Resource);
}

const identity = (r: Resource) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
const byIdentity = (resources: Resource[]) => [...resources].sort((a, b) => identity(a).localeCompare(identity(b)));

const rendered = renderOverlays();

describe.each(OVERLAYS)('deploy/k8s/overlays/%s', (overlay: Overlay) => {
  const resources = rendered[overlay];
  const all = (kind: string) => resources.filter((r) => r.kind === kind);

  (kubectlAvailable() ? it : it.skip)('renders the same with kubectl kustomize', () => {
    expect(byIdentity(renderOverlays(kubectlKustomize)[overlay])).toEqual(byIdentity(resources));
  });

  it('puts everything in one namespace that enforces the restricted Pod Security level', () => {
    const [namespace] = all('Namespace');
    expect(all('Namespace')).toHaveLength(1);
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(resources.filter((r) => r.kind !== 'Namespace' && r.metadata.namespace !== namespace.metadata.name)).toEqual([]);
  });

  describe.each(SERVICE_NAMES)('%s', (service) => {
    const deployment = find(resources, 'Deployment', service)!;
    const pods = () => podSpec(deployment);
    const container = (): Container => pods().containers[0];

    it('runs at least two replicas, each from the chatgate image', () => {
      expect(deployment).toBeDefined();
      expect((deployment.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
      expect(pods().containers).toHaveLength(1);
      expect(container().image).toMatch(/\/chatgate:[\w.-]+$/);
      expect(container().image).not.toMatch(/:latest$/);
    });

    it('has a PodDisruptionBudget that keeps all but one pod through voluntary disruptions', () => {
      const budgets = all('PodDisruptionBudget').filter((pdb) => selects((pdb.spec as { selector: never }).selector, podLabels(deployment)));
      expect(budgets).toHaveLength(1);
      const spec = budgets[0].spec as { maxUnavailable?: number; minAvailable?: number };
      if (spec.maxUnavailable !== undefined) expect(spec.maxUnavailable).toBe(1);
      else expect(spec.minAvailable).toBeLessThan((deployment.spec as { replicas: number }).replicas);
    });

    it(AUTOSCALED.includes(service) ? 'scales with a HorizontalPodAutoscaler from at least two replicas' : 'has a fixed replica count', () => {
      const hpas = all('HorizontalPodAutoscaler').filter((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === service);
      if (!AUTOSCALED.includes(service)) return expect(hpas).toEqual([]);
      expect(hpas).toHaveLength(1);
      const spec = hpas[0].spec as { scaleTargetRef: { kind: string }; minReplicas: number; maxReplicas: number };
      expect(spec.scaleTargetRef.kind).toBe('Deployment');
      expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(spec.maxReplicas).toBeGreaterThan(spec.minReplicas);
      // Autoscaling on CPU needs CPU requests to measure against.
      expect(container().resources?.requests?.cpu).toBeDefined();
    });

    it('probes liveness on /health/live and readiness on /health/ready, on the port the service listens on', () => {
      const [variable, port] = PROBE_PORTS[service];
      expect(literalEnv(container(), variable)).toBe(String(port));
      const portOf = (probe: Probe | undefined) => {
        const named = probe?.httpGet?.port;
        return typeof named === 'number' ? named : container().ports?.find((p) => p.name === named)?.containerPort;
      };
      expect(container().livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container().startupProbe?.httpGet?.path).toBe('/health/live');
      expect(container().readinessProbe?.httpGet?.path).toBe('/health/ready');
      for (const probe of [container().livenessProbe, container().readinessProbe, container().startupProbe]) expect(portOf(probe)).toBe(port);
    });

    it('lets running work finish: terminationGracePeriodSeconds covers preStop and SHUTDOWN_GRACE_MS', () => {
      const graceMs = Number(literalEnv(container(), 'SHUTDOWN_GRACE_MS'));
      expect(graceMs).toBeGreaterThan(0);
      const preStop = container().lifecycle?.preStop?.exec?.command ?? [];
      const preStopSec = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      const period = pods().terminationGracePeriodSeconds ?? 30;
      expect(period).toBeGreaterThanOrEqual(preStopSec + graceMs / 1000 + KILL_MARGIN_SEC);
      // "Matching": not so far above that a stuck pod lingers long past its drain.
      expect(period).toBeLessThanOrEqual(preStopSec + graceMs / 1000 + 3 * KILL_MARGIN_SEC);
    });

    it('refers only to ConfigMaps, Secrets and keys that exist (or are marked optional)', () => {
      const missing: string[] = [];
      const need = (kind: 'ConfigMap' | 'Secret', name: string, optional: boolean | undefined, key?: string) => {
        const object = find(resources, kind, name);
        if (!object) {
          if (!optional) missing.push(`${kind} ${name}`);
          return;
        }
        if (key !== undefined && !optional && !keysOf(object).includes(key)) missing.push(`${kind} ${name} key ${key}`);
      };
      for (const env of container().env ?? []) {
        const ref = env.valueFrom?.secretKeyRef ?? env.valueFrom?.configMapKeyRef;
        if (ref) need(env.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name, ref.optional, ref.key);
      }
      for (const from of container().envFrom ?? []) {
        if (from.configMapRef) need('ConfigMap', from.configMapRef.name, from.configMapRef.optional);
        if (from.secretRef) need('Secret', from.secretRef.name, from.secretRef.optional);
      }
      for (const volume of pods().volumes ?? []) {
        if (volume.configMap) need('ConfigMap', volume.configMap.name, volume.configMap.optional);
        if (volume.secret) need('Secret', volume.secret.secretName, volume.secret.optional);
        for (const source of volume.projected?.sources ?? []) {
          if (source.configMap) need('ConfigMap', source.configMap.name, source.configMap.optional);
          if (source.secret) need('Secret', source.secret.name, source.secret.optional);
        }
      }
      expect(missing).toEqual([]);
    });

    it('runs as non-root with a read-only root filesystem and no capabilities', () => {
      expect(pods().securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container().securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    });
  });

  describe('network policies', () => {
    type Policy = { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: Array<{ from?: unknown[]; ports?: Array<{ port: number }> }>; egress?: Array<{ to?: unknown[]; ports?: Array<{ port: number }> }> };
    const policies = all('NetworkPolicy').map((p) => ({ name: p.metadata.name, spec: p.spec as Policy }));
    const labelsOf = (service: string) => podLabels(find(resources, 'Deployment', service)!);
    const selecting = (service: string) => policies.filter((p) => selects(p.spec.podSelector, labelsOf(service)));

    it('deny all traffic by default', () => {
      const denyAll = policies.filter((p) => Object.keys(p.spec.podSelector).length === 0 || Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
      expect(denyAll.some((p) => p.spec.policyTypes.includes('Ingress') && p.spec.policyTypes.includes('Egress') && !p.spec.ingress && !p.spec.egress)).toBe(true);
    });

    it('let clients reach the gateway on its HTTP port, and nothing else in the namespace', () => {
      for (const service of SERVICE_NAMES) {
        const ingress = selecting(service).flatMap((p) => p.spec.ingress ?? []);
        if (service === 'gateway') expect(ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 5005 }] }]);
        else expect(ingress).toEqual([]);
      }
    });

    it('let the gateway talk to NATS and Redis only, and usage to NATS, Postgres and Redis only', () => {
      const egressPorts = (service: string) =>
        selecting(service)
          .filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0)
          .flatMap((p) => p.spec.egress ?? [])
          .flatMap((rule) => (rule.ports ?? [{ port: 'any' }]).map((p) => p.port));
      expect(egressPorts('gateway').sort()).toEqual([4222, 6379]);
      expect(egressPorts('usage').sort()).toEqual([4222, 5432, 6379]);
      for (const service of ['auth', 'conversation']) expect(egressPorts(service)).toEqual(expect.arrayContaining(service === 'auth' ? [4222, 5432, 6379] : ['any']));
    });
  });

  it('exposes the gateway, and only the gateway, through an Ingress if there is one', () => {
    const backends = all('Ingress').flatMap((ingress) =>
      ((ingress.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { name: string; port: { name?: string; number?: number } } } }> } }> }).rules ?? []).flatMap((rule) => rule.http.paths.map((p) => p.backend.service)),
    );
    if (overlay === 'production') expect(backends.length).toBeGreaterThan(0);
    for (const backend of backends) expect(backend).toEqual({ name: 'gateway', port: expect.objectContaining(backend.port.name ? { name: 'http' } : { number: 5005 }) });
    expect(all('Service').filter((s) => (s.spec as { type?: string }).type && (s.spec as { type?: string }).type !== 'ClusterIP')).toEqual([]);
  });
});
