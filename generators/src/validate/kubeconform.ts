/**
 * Runs the pinned kubeconform binary over manifest files with the cached schemas:
 * `-strict -summary -verbose -output json -kubernetes-version <x.y.z>` and one `-schema-location`
 * per schema folder (first match wins), never `-ignore-missing-schemas`: a resource without a
 * schema is an error, not a skip.
 */
import os from 'node:os';
import { ToolError } from '../errors.js';
import { argumentChunks, BATCH_NICENESS, lastLines, runProcess } from '../tools/process.js';
import { KUBECONFORM_VERSION } from '../tools/versions.js';
import { displayPath } from './documents.js';
import { countResults, sortResults, type EngineReport, type ResourceResult, type ResourceStatus } from './report.js';
import { crdSchemaLocation } from './schemas/crd.js';

/** kubeconform `-schema-location` for the flat folder of native schemas (`deployment-apps-v1.json`). */
export function nativeSchemaLocation(dir: string): string {
  return `${dir}/{{.ResourceKind}}{{.KindSuffix}}.json`;
}

export interface KubeconformRun {
  /** Path of the kubeconform binary (see `ensureGoTool`). */
  readonly binary: string;
  /** Absolute paths of the files to validate. */
  readonly files: readonly string[];
  /** Full Kubernetes version, `1.35.4`. */
  readonly kubernetesVersion: string;
  /** Folder of native schemas (`ensureNativeSchemas().kubeconformDir`). */
  readonly nativeSchemaDir: string;
  /** Folders of CRD schemas (`<group>/<kind>_<version>.json`), in priority order. */
  readonly crdSchemaDirs: readonly string[];
  /** Files are reported relative to this folder (the repository root). */
  readonly relativeTo: string;
  /** Concurrent workers (default: the number of CPUs). */
  readonly workers?: number;
  readonly signal?: AbortSignal;
}

interface KubeconformJson {
  readonly resources?: readonly {
    readonly filename: string;
    readonly kind: string;
    readonly name: string;
    readonly version: string;
    readonly status: string;
    readonly msg: string;
    readonly validationErrors?: readonly { readonly path: string; readonly msg: string }[];
  }[];
  readonly summary?: { valid: number; invalid: number; errors: number; skipped: number };
}

const STATUSES: Record<string, ResourceStatus> = {
  statusValid: 'valid',
  statusInvalid: 'invalid',
  statusError: 'error',
  statusSkipped: 'skipped',
};


/** Validates the files and returns a typed report (every resource, valid ones included). */
export async function runKubeconform(run: KubeconformRun): Promise<EngineReport> {
  // CRD folders first: their template contains the full group, which no native kind matches,
  // while a CRD group's first label could collide with a native file name.
  const locations = [...run.crdSchemaDirs.map(crdSchemaLocation), nativeSchemaLocation(run.nativeSchemaDir)];
  const base = [
    '-strict',
    '-summary',
    '-verbose',
    '-output',
    'json',
    '-kubernetes-version',
    run.kubernetesVersion,
    '-n',
    String(run.workers ?? Math.max(1, os.availableParallelism())),
    ...locations.flatMap((location) => ['-schema-location', location]),
  ];
  const results: ResourceResult[] = [];
  let exitCode = 0;
  for (const chunk of argumentChunks(run.files)) {
    const result = await runProcess(run.binary, [...base, ...chunk], { signal: run.signal, niceness: BATCH_NICENESS });
    let parsed: KubeconformJson;
    try {
      parsed = JSON.parse(result.stdout) as KubeconformJson;
    } catch {
      throw new ToolError(`kubeconform ${KUBECONFORM_VERSION} failed (exit ${result.code}) without a JSON report:\n${lastLines(result.stderr || result.stdout, 10)}`);
    }
    exitCode = Math.max(exitCode, result.code);
    for (const resource of parsed.resources ?? []) {
      const status = STATUSES[resource.status];
      if (!status) continue; // empty documents
      const details = resource.validationErrors?.map((e) => `${e.path || '/'}: ${e.msg}`).join('; ');
      results.push({
        file: displayPath(run.relativeTo, resource.filename),
        apiVersion: resource.version,
        kind: resource.kind,
        name: resource.name,
        status,
        msg: status === 'valid' ? '' : (details || resource.msg).replace(/\s+/g, ' ').trim(),
      });
    }
  }
  sortResults(results);
  return { engine: 'kubeconform', engineVersion: KUBECONFORM_VERSION, kubernetesVersion: run.kubernetesVersion, resources: results, counts: countResults(results), exitCode };
}
