/**
 * kwok's stages: a `go install`ed kwok carries none ("no stages found"), so they are read from the
 * pinned module (`sigs.k8s.io/kwok@<KWOK_VERSION>`, `kustomize/stage/`, never copied into the
 * repository) and written into one config file for `--config`:
 *
 * - `node/fast/node-initialize.yaml`, `node/heartbeat/node-heartbeat.yaml`: Nodes become Ready and
 *   stay so (the controller-manager's node lifecycle then lifts the `not-ready` taint);
 * - `pod/fast/pod-ready.yaml`: a scheduled Pod gets an IP and is Running and Ready;
 * - `pod/fast/pod-complete.yaml`: a Running Pod of a Job ends Succeeded (a Job completes);
 * - `pod/fast/pod-delete.yaml`: a deleted Pod goes away (no kubelet finalises it otherwise).
 *
 * One stage is the rehearsal's own (`POD_FAIL_STAGE`): a Job's Pod labelled
 * `FAIL_POD_LABEL=true` ends Failed (exit code 1) instead, and `pod-complete` is narrowed to Pods
 * without that label, so a failing integration-test Job can be rehearsed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/** Upstream stage files, relative to the module's `kustomize/stage/`. */
export const KWOK_STAGE_FILES = ['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'] as const;

/** A Job Pod with this label set to "true" fails under kwok (the rehearsal's failing analysis). */
export const FAIL_POD_LABEL = 'rehearsal.gitops.local/fail';

const withoutFailLabel = { key: `.metadata.labels.${JSON.stringify(FAIL_POD_LABEL)}`, operator: 'DoesNotExist' };

/** The rehearsal's own stage: a labelled Job Pod that is Running ends Failed. */
export const POD_FAIL_STAGE = {
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name: 'rehearsal-pod-fail' },
  spec: {
    resourceRef: { apiGroup: 'v1', kind: 'Pod' },
    selector: {
      matchExpressions: [
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] },
        { key: `.metadata.labels.${JSON.stringify(FAIL_POD_LABEL)}`, operator: 'In', values: ['true'] },
      ],
    },
    next: {
      statusTemplate: [
        '{{ $now := Now }}',
        'containerStatuses:',
        '{{ range $index, $item := .spec.containers }}',
        '- image: {{ $item.image | Quote }}',
        '  name: {{ $item.name | Quote }}',
        '  ready: false',
        '  restartCount: 0',
        '  started: false',
        '  state:',
        '    terminated:',
        '      exitCode: 1',
        '      finishedAt: {{ $now | Quote }}',
        '      reason: Error',
        '      startedAt: {{ $now | Quote }}',
        '{{ end }}',
        'phase: Failed',
        '',
      ].join('\n'),
    },
  },
};

/** The config file text for `kwok --config`: the upstream stages (pod-complete narrowed) and the fail stage. */
export async function kwokStagesConfig(moduleDir: string): Promise<string> {
  const stages: unknown[] = [];
  for (const file of KWOK_STAGE_FILES) {
    for (const doc of parseAllDocuments(await readFile(path.join(moduleDir, 'kustomize', 'stage', file), 'utf8'))) {
      const stage = doc.toJS() as { metadata?: { name?: string }; spec?: { selector?: { matchExpressions?: unknown[] } } } | null;
      if (!stage) continue;
      if (stage.metadata?.name === 'pod-complete' && stage.spec?.selector) stage.spec.selector.matchExpressions = [...(stage.spec.selector.matchExpressions ?? []), withoutFailLabel];
      stages.push(stage);
    }
  }
  stages.push(POD_FAIL_STAGE);
  return stages.map((stage) => stringify(stage, { lineWidth: 0 })).join('---\n');
}
