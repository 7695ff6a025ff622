import type { Cluster } from '../inputs/clusters.js';

/**
 * What a rendered-tree check sees and reports. The registry (`checks.ts`) imports the policies
 * (`policies/*.ts`), and the policies import this module: the dependency runs one way.
 *
 * An object may be exempted from a check by an annotation naming the check and a reason:
 *   `policy.learning-platform.io/exempt-<id>: "<reason>"`
 * The runner lists every exception it honoured, so reviewers see them.
 */

/** One parsed document of a rendered file. */
export interface RenderedDoc {
  /** Cluster the file belongs to. */
  readonly cluster: string;
  /** Repository-relative path (`clusters/production/rendered/apps/x/deployment.x.yaml`). */
  readonly file: string;
  /** The object as parsed from YAML. */
  readonly object: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly [key: string]: unknown;
  };
}

/** A problem one check found in one object (or in the tree as a whole, with no object). */
export interface Finding {
  /** Check id, e.g. `pod-security-restricted`. */
  readonly check: string;
  readonly file: string;
  /** 1-based line and column in the file, when the finding is about one place of it. */
  readonly line?: number;
  readonly column?: number;
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly resource: string;
  readonly message: string;
  /** How to fix it, one sentence. */
  readonly fix: string;
}

/** What a check sees: every document of one cluster, and the cluster's input. */
export interface CheckContext {
  readonly cluster: Cluster;
  readonly docs: readonly RenderedDoc[];
  /** Repository root, for checks that look at files (paths Argo CD syncs, READMEs). */
  readonly root: string;
}

/** A rendered-tree check. */
export interface RenderedCheck {
  readonly id: string;
  /** What the check guarantees, one line (listed by `gitops validate --list-checks`). */
  readonly description: string;
  /** Returns every finding; exemptions are applied by the runner, not here. */
  readonly run: (context: CheckContext) => Finding[];
}

/** An exemption the runner honoured: reported so it stays visible. */
export interface Exemption {
  readonly check: string;
  readonly resource: string;
  readonly file: string;
  readonly reason: string;
}

/** Where a finding is: `file`, or `file:line:column` when it is about one place. */
export function findingLocation(finding: Pick<Finding, 'file' | 'line' | 'column'>): string {
  return finding.line ? `${finding.file}:${finding.line}:${finding.column ?? 1}` : finding.file;
}

/** `Kind/namespace/name` of a document, as findings print it. */
export function resourceId(doc: RenderedDoc): string {
  const { kind, metadata } = doc.object;
  return metadata.namespace ? `${kind}/${metadata.namespace}/${metadata.name}` : `${kind}/${metadata.name}`;
}

/** Annotation that exempts an object from one check (shared with the renderer, which imports nothing from validate/). */
export { exemptionAnnotation } from '../policy-exemption.js';
