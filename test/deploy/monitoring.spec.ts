import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { find, renderOverlays, SERVICE_NAMES } from '../support/deployments.js';
import { kustomize, type Resource } from '../support/kustomize.js';

type Json = Record<string, unknown>;
const MONITORING = fileURLToPath(new URL('../../deploy/k8s/components/monitoring/', import.meta.url));

/**
 * deploy/k8s/components/monitoring against the manifests it is added to: the ServiceMonitor selects every
 * chatgate Service and scrapes a port each one has and serves /metrics on (the gateway's `metrics`, the
 * others' `health`), the NetworkPolicy opens exactly those ports to Prometheus, and the dashboard ships.
 */
describe('deploy/k8s/components/monitoring', () => {
  const component = kustomize(MONITORING);
  const { production } = renderOverlays();
  const spec = (r: Resource | undefined) => (r as unknown as { spec: Json } | undefined)?.spec as Json;

  it('scrapes a port every chatgate Service has, by a label they all carry', () => {
    const monitor = spec(find(component, 'ServiceMonitor', 'chatgate'));
    const selector = (monitor.selector as { matchLabels: Record<string, string> }).matchLabels;
    const scraped = (monitor.endpoints as Array<{ port: string; path: string }>).map((e) => e.port);
    expect((monitor.endpoints as Array<{ path: string }>).every((e) => e.path === '/metrics')).toBe(true);
    for (const service of SERVICE_NAMES) {
      const svc = production.find((r) => r.kind === 'Service' && r.metadata.labels?.['app.kubernetes.io/name'] === service && (spec(r).ports as unknown[]).length > 0);
      expect([service, Boolean(svc)]).toEqual([service, true]);
      for (const [key, value] of Object.entries(selector)) expect([service, svc!.metadata.labels?.[key]]).toEqual([service, value]);
      const ports = (spec(svc).ports as Array<{ name: string; port: number }>).filter((p) => scraped.includes(p.name));
      // The gateway's metrics are on their own port, never on the public one; the others' on their health port.
      expect([service, ports.map((p) => p.name)]).toEqual([service, [service === 'gateway' ? 'metrics' : 'health']]);
    }
  });

  it('opens to Prometheus exactly the ports it scrapes', () => {
    const policy = spec(find(component, 'NetworkPolicy', 'chatgate-allow-metrics-scrape'));
    const opened = ((policy.ingress as Array<{ ports: Array<{ port: number }> }>)[0].ports ?? []).map((p) => p.port).sort();
    const scrapedPorts = SERVICE_NAMES.map((service) => {
      const svc = production.find((r) => r.kind === 'Service' && r.metadata.labels?.['app.kubernetes.io/name'] === service && (spec(r).ports as unknown[]).length > 0)!;
      return (spec(svc).ports as Array<{ name: string; port: number }>).find((p) => p.name === (service === 'gateway' ? 'metrics' : 'health'))!.port;
    }).sort();
    expect(opened).toEqual(scrapedPorts);
  });

  it('ships the Grafana dashboard as a ConfigMap the sidecar picks up', () => {
    const map = find(component, 'ConfigMap', 'chatgate-grafana-dashboard') as (Resource & { data: Record<string, string> }) | undefined;
    expect(map?.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(map!.data['chatgate.json']) as { panels: unknown[] };
    expect(dashboard.panels.length).toBeGreaterThan(10);
  });
});
