import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { authEnv, conversationEnv, gatewayEnv, usageEnv, voiceEnv } from '@chatgate/config';
import { SERVICE_NAMES, type ServiceName } from '@chatgate/contracts';
import { kustomize, type Resource } from './kustomize.js';

/** What deploy/ and docker-compose.yml describe, read as the tests need it. */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');
export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];
export { SERVICE_NAMES, type ServiceName };

/** The environment schema each service parses at boot. */
export const SCHEMAS: Record<ServiceName, z.ZodObject> = { gateway: gatewayEnv, auth: authEnv, conversation: conversationEnv, voice: voiceEnv, usage: usageEnv };

export function schemaKeys(service: ServiceName): string[] {
  return Object.keys(SCHEMAS[service].shape);
}

type Json = Record<string, unknown>;

export interface ComposeService {
  environment?: Record<string, string | number | null> | string[];
  stop_grace_period?: string;
  [field: string]: unknown;
}

/** docker-compose.yml as written (anchors and merge keys resolved, ${…} left as they are). */
export function composeFile(): { services: Record<string, ComposeService> } {
  return parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
}

/** The variables compose sets on a service, by name, with their value as written. */
export function composeEnvironment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Compose durations as seconds ("60s", "1m30s"). */
export function composeSeconds(duration: string): number {
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(h|m|s|ms)/g)) seconds += Number(amount) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h' | 'm' | 's' | 'ms'];
  return seconds;
}

/**
 * Every overlay rendered, from a copy of deploy/k8s in which production's secrets.env is its
 * secrets.env.example (a real secrets.env in the checkout is never read or touched).
 */
export function renderOverlays(render: (dir: string) => Resource[] = kustomize): Record<Overlay, Resource[]> {
  const copy = mkdtempSync(join(tmpdir(), 'chatgate-k8s-'));
  try {
    cpSync(K8S_DIR, copy, { recursive: true, filter: (src) => !src.endsWith('secrets.env') });
    const production = join(copy, 'overlays/production');
    writeFileSync(join(production, 'secrets.env'), readFileSync(join(production, 'secrets.env.example')));
    return Object.fromEntries(OVERLAYS.map((overlay) => [overlay, render(join(copy, 'overlays', overlay))])) as Record<Overlay, Resource[]>;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export function find(resources: Resource[], kind: string, name: string): Resource | undefined {
  return resources.find((r) => r.kind === kind && r.metadata.name === name);
}

export interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }>;
  envFrom?: Array<{ configMapRef?: ObjectRef; secretRef?: ObjectRef }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Json; limits?: Json };
  securityContext?: Json;
}
export interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
export interface ObjectRef {
  name: string;
  optional?: boolean;
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; configMap?: ObjectRef; secret?: { secretName: string; optional?: boolean }; projected?: { sources: Array<{ configMap?: ObjectRef; secret?: ObjectRef }> } }>;
  terminationGracePeriodSeconds?: number;
  securityContext?: Json;
}

export function podSpec(deployment: Resource): PodSpec {
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

export function podLabels(deployment: Resource): Record<string, string> {
  return (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
}

/** The keys of a rendered ConfigMap or Secret (data, stringData). */
export function keysOf(resource: Resource | undefined): string[] {
  if (!resource) return [];
  return [...Object.keys((resource.data as Json | undefined) ?? {}), ...Object.keys((resource.stringData as Json | undefined) ?? {})];
}

/** The variable names a container gets: its env entries and every key of the ConfigMaps and Secrets it loads whole. */
export function containerVariables(resources: Resource[], container: Container): string[] {
  const names = new Set((container.env ?? []).map((e) => e.name));
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) for (const key of keysOf(find(resources, 'ConfigMap', from.configMapRef.name))) names.add(key);
    if (from.secretRef) for (const key of keysOf(find(resources, 'Secret', from.secretRef.name))) names.add(key);
  }
  return [...names];
}

/** A container's literal env value (`value:`), if it has one. */
export function literalEnv(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

/** Whether a label selector (matchLabels only, as deploy/k8s writes them) selects pods with these labels. */
export function selects(selector: { matchLabels?: Record<string, string> } | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}
