/**
 * The CustomResourceDefinitions a cluster will have, as the apiserver engine installs them: the
 * pinned CRD sources `validate` already uses (first source wins for a CRD two sources ship), with
 * one adjustment a real cluster makes by other means.
 *
 * Storage version: a CRD with several versions stores one of them. Real clusters convert between
 * versions through the controller's conversion webhook (Crossplane providers, for example, get
 * one injected by the package manager). No webhook runs here, so a CRD whose conversion is `None`
 * (or `Webhook`) would store an object sent at another version by renaming its apiVersion and
 * pruning whatever the stored version's schema lacks: fields are lost that a real cluster keeps.
 * So, for each kind the tree uses at exactly one version, that version is made the storage
 * version and conversion is `None`. A kind used at two versions keeps the CRD's own storage
 * version; the engine's round-trip check then names any field lost on the way to storage.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../../render/task-pool.js';
import { ToolError } from '../../errors.js';
import { parseCrds } from '../schemas/crd.js';
import type { PreparedCrdSource } from '../crd-sources.js';
import type { KubeClient } from './kube-client.js';

/** One CRD to install: where it comes from and what it serves. */
export interface PlannedCrd {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly file: string;
  /** The version made the storage version (see above), when one is. */
  readonly storage?: string;
}

/**
 * The CRDs a server gets: cheap to compute (no YAML parsing of the ~13 MB of CRD files), so it
 * can key the cached server state; the objects are only read when that state is built.
 */
export interface CrdPlan {
  readonly crds: readonly PlannedCrd[];
  /** A short hash of the files' bytes and the storage choices. */
  readonly hash: string;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
}

/**
 * Plans the CRDs of the prepared sources (first source wins for a CRD name two sources ship),
 * with the storage version of every kind in `usedVersions` (`group/Kind` → versions the tree uses).
 */
export async function planCrds(sources: readonly PreparedCrdSource[], usedVersions: ReadonlyMap<string, ReadonlySet<string>>): Promise<CrdPlan> {
  const byName = new Map<string, PlannedCrd>();
  for (const source of sources) {
    for (const crd of source.crds) {
      if (byName.has(crd.name)) continue;
      const used = usedVersions.get(`${crd.group}/${crd.kind}`);
      const only = used?.size === 1 ? [...used][0]! : undefined;
      const storage = only && only !== crd.storageVersion && crd.servedVersions.length > 1 && crd.servedVersions.includes(only) ? only : undefined;
      byName.set(crd.name, { name: crd.name, group: crd.group, kind: crd.kind, file: crd.file, ...(storage ? { storage } : {}) });
    }
  }
  const crds = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const hash = createHash('sha256');
  for (const file of [...new Set(crds.map((c) => c.file))].sort()) hash.update(file.split('/').slice(-2).join('/')).update(await fileDigest(file)).update('\0');
  hash.update(JSON.stringify(crds.filter((c) => c.storage).map((c) => [c.name, c.storage])));
  return { crds, hash: hash.digest('hex').slice(0, 16) };
}


/** CRD files in the schema cache never change (their folder is named after the version): hashed once per process. */
const digests = new Map<string, Promise<string>>();
function fileDigest(file: string): Promise<string> {
  let digest = digests.get(file);
  if (!digest) {
    digest = readFile(file).then((bytes) => createHash('sha256').update(bytes).digest('hex'));
    digests.set(file, digest);
  }
  return digest;
}

/** The CRD objects of a plan, ready to apply. */
export async function loadCrdObjects(plan: CrdPlan): Promise<Record<string, unknown>[]> {
  const wanted = new Map(plan.crds.map((c) => [c.name, c]));
  const objects: Record<string, unknown>[] = [];
  for (const file of [...new Set(plan.crds.map((c) => c.file))]) {
    for (const crd of parseCrds(await readFile(file, 'utf8'), file)) {
      const name = (crd['metadata'] as { name?: string } | undefined)?.name;
      const planned = name ? wanted.get(name) : undefined;
      if (!planned || planned.file !== file) continue;
      const object = structuredClone(crd);
      if (planned.storage) storeVersion(object, planned.storage);
      delete (object['metadata'] as Record<string, unknown>)['creationTimestamp'];
      delete object['status'];
      objects.push(object);
    }
  }
  return objects;
}

function storeVersion(crd: Record<string, unknown>, version: string): void {
  const spec = crd['spec'] as { versions?: CrdVersion[]; conversion?: unknown };
  for (const v of spec.versions ?? []) v.storage = v.name === version;
  spec.conversion = { strategy: 'None' };
}

/** The API server gave up on the request (504, or its 500/429 "Timeout"/"too many requests" answers), rather than refusing it. */
export function serverTimedOut(answer: { status: number; body: Record<string, unknown> }): boolean {
  if (answer.status === 504 || answer.status === 429) return true;
  return answer.status >= 500 && (answer.body['reason'] === 'Timeout' || /Timeout|context deadline exceeded/i.test(String(answer.body['message'] ?? '')));
}

/** How many CRDs are applied at once. */
const CRD_APPLIES_IN_FLIGHT = 4;

/** Applies every CRD and waits until each is Established (names accepted, served). */
export async function installCrds(client: KubeClient, crds: readonly Record<string, unknown>[], signal?: AbortSignal): Promise<void> {
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  const failures: string[] = [];
  const names = crds.map((crd) => String((crd['metadata'] as { name?: string }).name));
  // A few at a time: each CRD's schemas are compiled on arrival, and sixty at once (the Argo
  // Workflows CRDs ~1 MB each) drove the server past its request timeout on a loaded machine.
  await mapLimit(crds, CRD_APPLIES_IN_FLIGHT, async (crd, i) => {
    // A server-side apply is idempotent: an answer that says the server ran out of time (a busy
    // machine: the Argo Workflows CRDs are ~1 MB each) is asked again, a refusal is not.
    let answer = await client.apply(`${base}/${names[i]}`, crd);
    for (let attempt = 1; attempt < 4 && serverTimedOut(answer); attempt++) {
      await sleep(1_000 * attempt, undefined, { signal });
      answer = await client.apply(`${base}/${names[i]}`, crd);
    }
    if (answer.status >= 300) failures.push(`${names[i]}: ${String(answer.body['message'] ?? `HTTP ${answer.status}`)}${serverTimedOut(answer) ? ' (the server timed out 4 times: is the machine overloaded?)' : ''}`);
  });
  if (failures.length > 0) throw new ToolError(`the API server refused ${failures.length} pinned CRD(s):\n${failures.join('\n')}`, 'a pinned CRD file is not valid for this Kubernetes version');

  const deadline = Date.now() + 300_000;
  let waiting = names;
  while (waiting.length > 0) {
    signal?.throwIfAborted();
    const list = await client.get(base);
    const established = new Set(
      ((list.body['items'] as { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } }[] | undefined) ?? [])
        .filter((item) => item.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
        .map((item) => item.metadata?.name),
    );
    waiting = waiting.filter((name) => !established.has(name));
    if (waiting.length === 0) break;
    if (Date.now() > deadline) throw new ToolError(`CRDs not Established after 300 s (a loaded machine? each CRD is usually Established in seconds): ${waiting.join(', ')}`);
    await sleep(250);
  }
}
