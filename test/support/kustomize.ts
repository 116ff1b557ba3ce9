import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of kustomize that deploy/k8s
 * uses, so the manifest tests run where no kubectl is installed. Anything outside that subset throws
 * rather than being ignored (a field it skipped would make the tests check something the cluster never
 * gets); where kubectl is installed, the tests also compare this renderer's output with kubectl's.
 *
 * Supported: resources (files and directories), namespace, labels (metadata only), images, replicas,
 * secretGenerator/configMapGenerator (envs, literals, files; options labels and annotations; without a name hash), patches (files of
 * strategic-merge patches).
 */

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

type Json = Record<string, unknown>;

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'replicas', 'secretGenerator', 'configMapGenerator', 'patches']);
/** Kinds that live outside namespaces: the namespace transformer leaves them alone (a Namespace is renamed). */
const CLUSTER_KINDS = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'IngressClass']);
/** Lists that strategic merge patches merge by a key (Kubernetes' patchMergeKey); any other list is replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
};

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(dir: string, message: string): never {
  throw new Error(`kustomize ${dir}: ${message}`);
}

function parseDocuments(file: string): Resource[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { merge: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as Resource | null;
    })
    .filter((doc): doc is Resource => doc !== null);
}

/** One key=value per line, `#` comments and blank lines skipped, as kustomize reads `envs` files. */
function readEnvFile(file: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${file}: "${line}" is not KEY=value (reading a value from the environment is not supported)`);
    pairs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return pairs;
}

function generate(dir: string, kind: 'Secret' | 'ConfigMap', spec: Json): Resource {
  const known = new Set(['name', 'envs', 'literals', 'files', 'options', 'type']);
  for (const key of Object.keys(spec)) if (!known.has(key)) fail(dir, `${kind} generator field "${key}" is not supported`);
  const options = (spec.options as Json | undefined) ?? {};
  if (options.disableNameSuffixHash !== true) fail(dir, `${kind} generator "${String(spec.name)}" needs options.disableNameSuffixHash: true (name hashes are not supported)`);
  for (const key of Object.keys(options)) if (!['disableNameSuffixHash', 'labels', 'annotations'].includes(key)) fail(dir, `${kind} generator option "${key}" is not supported`);
  const data: Record<string, string> = {};
  for (const envs of (spec.envs as string[] | undefined) ?? []) Object.assign(data, readEnvFile(join(dir, envs)));
  for (const literal of (spec.literals as string[] | undefined) ?? []) {
    const eq = literal.indexOf('=');
    data[literal.slice(0, eq)] = literal.slice(eq + 1);
  }
  for (const file of (spec.files as string[] | undefined) ?? []) {
    const [key, path] = file.includes('=') ? file.split('=', 2) : [file.split('/').pop()!, file];
    data[key] = readFileSync(join(dir, path), 'utf8');
  }
  // A generator's options.labels and options.annotations go on what it generates, as kustomize puts them.
  const metadata = {
    name: String(spec.name),
    ...(options.labels ? { labels: { ...(options.labels as Record<string, string>) } } : {}),
    ...(options.annotations ? { annotations: { ...(options.annotations as Record<string, string>) } } : {}),
  };
  if (kind === 'ConfigMap') return { apiVersion: 'v1', kind, metadata, data };
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind, metadata, type: (spec.type as string | undefined) ?? 'Opaque', data: encoded };
}

/** Kubernetes strategic merge for the fields deploy/k8s patches: maps merge, keyed lists merge by key, `null` deletes. */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (isObject(target) && isObject(patch)) {
    const out: Json = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in target ? strategicMerge(target[key], value, key) : value;
    }
    return out;
  }
  const mergeKey = MERGE_KEYS[field];
  if (Array.isArray(target) && Array.isArray(patch) && mergeKey) {
    const out = target.map((item) => ({ ...(item as Json) }));
    for (const item of patch as Json[]) {
      if (!isObject(item) || !(mergeKey in item)) throw new Error(`a patch item of ${field} needs its merge key "${mergeKey}"`);
      const index = out.findIndex((existing) => existing[mergeKey] === item[mergeKey]);
      if (index < 0) out.push(item);
      else out[index] = strategicMerge(out[index], item, '') as Json;
    }
    return out;
  }
  return patch;
}

function podSpecsOf(resource: Resource): Json[] {
  const template = (resource.spec as Json | undefined)?.template as Json | undefined;
  return template && isObject(template.spec) ? [template.spec] : [];
}

/** Renders the kustomization in `dir` (a directory holding kustomization.yaml). */
export function kustomize(dir: string): Resource[] {
  const root = resolve(dir);
  const file = join(root, 'kustomization.yaml');
  if (!existsSync(file)) fail(root, 'no kustomization.yaml');
  const k = parse(readFileSync(file, 'utf8')) as Json;
  for (const key of Object.keys(k)) if (!SUPPORTED_FIELDS.has(key)) fail(root, `field "${key}" is not supported`);

  let resources: Resource[] = [];
  for (const entry of (k.resources as string[] | undefined) ?? []) {
    const path = join(root, entry);
    resources.push(...(statSync(path).isDirectory() ? kustomize(path) : parseDocuments(path)));
  }
  for (const spec of (k.secretGenerator as Json[] | undefined) ?? []) resources.push(generate(root, 'Secret', spec));
  for (const spec of (k.configMapGenerator as Json[] | undefined) ?? []) resources.push(generate(root, 'ConfigMap', spec));

  for (const entry of (k.patches as Json[] | undefined) ?? []) {
    if (Object.keys(entry).some((key) => key !== 'path')) fail(root, 'only `patches: - path: <file>` (strategic merge) is supported');
    for (const patch of parseDocuments(join(root, String(entry.path)))) {
      const index = resources.findIndex((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
      if (index < 0) fail(root, `patch ${String(entry.path)} names ${patch.kind} ${patch.metadata.name}, which no resource is`);
      resources[index] = strategicMerge(resources[index], patch) as Resource;
    }
  }

  const namespace = k.namespace as string | undefined;
  if (namespace) {
    resources = resources.map((r) => {
      if (r.kind === 'Namespace') return { ...r, metadata: { ...r.metadata, name: namespace } };
      if (CLUSTER_KINDS.has(r.kind)) return r;
      return { ...r, metadata: { ...r.metadata, namespace } };
    });
  }

  for (const label of (k.labels as Json[] | undefined) ?? []) {
    if (label.includeSelectors === true || label.includeTemplates === true) fail(root, 'labels with includeSelectors or includeTemplates are not supported');
    const pairs = label.pairs as Record<string, string>;
    resources = resources.map((r) => ({ ...r, metadata: { ...r.metadata, labels: { ...r.metadata.labels, ...pairs } } }));
  }

  for (const replica of (k.replicas as Array<{ name: string; count: number }> | undefined) ?? []) {
    const index = resources.findIndex((r) => r.metadata.name === replica.name && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind));
    if (index < 0) fail(root, `replicas names ${replica.name}, which no workload is`);
    resources[index] = { ...resources[index], spec: { ...(resources[index].spec as Json), replicas: replica.count } };
  }

  for (const image of (k.images as Array<{ name: string; newName?: string; newTag?: string }> | undefined) ?? []) {
    resources = resources.map((r) => {
      const specs = podSpecsOf(r);
      if (!specs.length) return r;
      const copy = structuredClone(r);
      for (const spec of podSpecsOf(copy)) {
        for (const container of [...((spec.containers as Json[]) ?? []), ...((spec.initContainers as Json[]) ?? [])]) {
          const current = String(container.image);
          const name = current.split(':')[0];
          if (name !== image.name) continue;
          const tag = image.newTag ?? (current.includes(':') ? current.split(':')[1] : undefined);
          container.image = `${image.newName ?? name}${tag ? `:${tag}` : ''}`;
        }
      }
      return copy;
    });
  }
  return resources;
}

