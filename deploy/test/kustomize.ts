/**
 * A small, offline kustomize for the features k8s/ uses: `resources` (files and directories), `namespace`,
 * `images`, `replicas` and strategic-merge `patches` (maps merge deeply, lists of named items merge by `name`,
 * other lists replace). Anything else in a kustomization.yaml is an error, so the renderer never silently
 * diverges from what `kubectl kustomize` would produce.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** All YAML documents of a file (empty documents skipped). */
export function readDocs(file: string): Obj[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
      return d.toJS() as unknown;
    })
    .filter(isObj);
}

/** Strategic merge (the subset described above). */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? strategicMerge(base[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch) && [...base, ...patch].every((x) => isObj(x) && typeof x.name === 'string')) {
    const out = base.map((x) => ({ ...(x as Obj) }));
    for (const item of patch as Obj[]) {
      const i = out.findIndex((x) => x.name === item.name);
      if (i >= 0) out[i] = strategicMerge(out[i], item) as Obj;
      else out.push(item);
    }
    return out;
  }
  return patch;
}

function setImages(node: unknown, images: { name: string; newName?: string; newTag?: string }[]): unknown {
  if (Array.isArray(node)) return node.map((x) => setImages(x, images));
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'image' && typeof v === 'string') {
      const [name, tag] = v.split(':');
      const rule = images.find((i) => i.name === name);
      out[k] = rule ? `${rule.newName ?? name}:${rule.newTag ?? tag ?? 'latest'}` : v;
    } else out[k] = setImages(v, images);
  }
  return out;
}

/** Render a kustomization directory into its objects. */
export function kustomize(dir: string): K8sObject[] {
  const k = readDocs(path.join(dir, 'kustomization.yaml'))[0] as Obj;
  for (const key of Object.keys(k)) if (!SUPPORTED.has(key)) throw new Error(`${dir}/kustomization.yaml: unsupported field ${key}`);
  let objects: K8sObject[] = [];
  for (const res of (k.resources as string[] | undefined) ?? []) {
    const p = path.join(dir, res);
    objects.push(...(fs.statSync(p).isDirectory() ? kustomize(p) : (readDocs(p) as K8sObject[])));
  }
  for (const patch of (k.patches as { path: string }[] | undefined) ?? []) {
    for (const doc of readDocs(path.join(dir, patch.path)) as K8sObject[]) {
      const i = objects.findIndex((o) => o.kind === doc.kind && o.metadata.name === doc.metadata.name);
      if (i < 0) throw new Error(`${dir}/${patch.path}: no ${doc.kind} ${doc.metadata.name} to patch`);
      objects[i] = strategicMerge(objects[i], doc) as K8sObject;
    }
  }
  for (const r of (k.replicas as { name: string; count: number }[] | undefined) ?? []) {
    const target = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === r.name);
    if (!target) throw new Error(`${dir}: replicas for unknown workload ${r.name}`);
    (target.spec as Obj).replicas = r.count;
  }
  if (k.images) objects = objects.map((o) => setImages(o, k.images as { name: string; newName?: string; newTag?: string }[]) as K8sObject);
  if (typeof k.namespace === 'string') {
    const ns = k.namespace;
    objects = objects.map((o) =>
      o.kind === 'Namespace'
        ? { ...o, metadata: { ...o.metadata, name: ns } }
        : CLUSTER_SCOPED.has(o.kind)
          ? o
          : { ...o, metadata: { ...o.metadata, namespace: ns } },
    );
  }
  return objects;
}
