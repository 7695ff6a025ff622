import type { Cluster } from '../inputs/clusters.js';
import type { AddonCatalogue } from '../inputs/schemas/addons.js';
import { argocdRepositoryDeclaration } from './argocd-crds.js';
import { irsaAnnotations } from './irsa.js';
import { Document, isScalar, visit } from 'yaml';

/**
 * Argo CD's health check of an Application, restored in argocd-cm (Argo CD 1.8 removed it):
 * without it the root Application's sync waves would not wait for the add-ons to be healthy.
 */
export const applicationHealthLua = [
  'hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil and obj.status.health ~= nil then',
  '  hs.status = obj.status.health.status',
  '  if obj.status.health.message ~= nil then',
  '    hs.message = obj.status.health.message',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

/** Triggers every notification subscription listens to. */
export const notificationTriggers = ['on-deployed', 'on-sync-failed', 'on-health-degraded', 'on-rollout-aborted'] as const;

/** Key of the Slack token in `argocd-notifications-secret`. */
export const slackTokenKey = 'slack-token';

/**
 * Values of the argo-cd chart, the same for the bootstrap install (k3s HelmChart, EKS helm
 * command) and for the addon-argo-cd Application through which Argo CD then manages itself.
 * Names are fixed (`fullnameOverride: argocd`) so the bootstrap release and the Application
 * manage the same objects.
 */
export function argocdValues(cluster: Cluster, catalogue: AddonCatalogue): Record<string, unknown> {
  const chart = catalogue.charts['argo-cd'];
  const ha = cluster.flavor === 'eks';
  return {
    fullnameOverride: 'argocd',
    global: {
      // The chart runs its own appVersion unless told otherwise; an override must be deliberate.
      ...(chart.image ? { image: { tag: chart.image.tag } } : {}),
      // Chart 10.0.0 turned the chart's NetworkPolicies on; the namespace's default-deny and
      // addon-traffic policies (addons/argo-cd/) are the one set of network rules here.
      networkPolicy: { create: false },
    },
    // The CRDs are the running release's, installed apart from the chart (argocd-crds.ts): the
    // chart's are those of its appVersion. templates/crds/* @ argo-cd-10.1.1 render only with crds.install.
    crds: { install: false },
    dex: { enabled: false },
    configs: {
      // The Argo CD repository the CRDs are synced from, fetched one commit deep.
      repositories: { 'argo-cd': { ...argocdRepositoryDeclaration } },
      cm: {
        'application.resourceTrackingMethod': 'annotation',
        'resource.customizations.health.argoproj.io_Application': applicationHealthLua,
        'exec.enabled': 'false',
        'statusbadge.enabled': 'false',
        'timeout.reconciliation': '180s',
      },
      rbac: { 'policy.default': 'role:readonly' },
    },
    controller: { replicas: 1 },
    server: { replicas: ha ? 2 : 1 },
    repoServer: { replicas: ha ? 2 : 1 },
    applicationSet: { replicas: ha ? 2 : 1 },
    'redis-ha': { enabled: ha },
    notifications: notificationValues(cluster),
  };
}

function notificationValues(cluster: Cluster): Record<string, unknown> {
  const { slack, sqs } = cluster.argocd.notifications;
  if (!slack && !sqs) return { enabled: false };
  const prefix = `[${cluster.name}]`;
  const recipients = [...(slack ? [`slack:${slack.channel}`] : []), ...(sqs ? [`awssqs:${sqs.queue}`] : [])];
  const annotations = sqs ? irsaAnnotations(cluster, 'argocd-notifications') : {};
  return {
    enabled: true,
    // argocd-notifications-secret is written by an ExternalSecret (addons/argo-cd/), never from Git.
    secret: { create: false },
    ...(Object.keys(annotations).length ? { serviceAccount: { annotations } } : {}),
    notifiers: {
      ...(slack ? { 'service.slack': `token: $${slackTokenKey}\n` } : {}),
      ...(sqs ? { 'service.awssqs': `region: ${cluster.region}\nqueue: ${sqs.queue}\n` } : {}),
    },
    templates: {
      'template.app-deployed': `message: "${prefix} {{.app.metadata.name}} is synced and healthy at {{.app.status.sync.revision}}."\n`,
      'template.app-sync-failed': `message: "${prefix} {{.app.metadata.name}} failed to sync: {{.app.status.operationState.message}}"\n`,
      'template.app-health-degraded': `message: "${prefix} {{.app.metadata.name}} is degraded: {{.app.status.health.message}}"\n`,
      'template.rollout-aborted': `message: "${prefix} {{.app.metadata.name}}: the canary was aborted and all traffic is back on the stable version.{{range .app.status.resources}}{{if eq .kind \\"Rollout\\"}} {{.name}}: {{if .health}}{{.health.message}}{{end}}{{end}}{{end}} Details: kubectl argo rollouts get rollout -n {{.app.spec.destination.namespace}} <name>"\n`,
    },
    triggers: {
      'trigger.on-deployed': triggerYaml([
        { when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'", oncePer: 'app.status.operationState?.syncResult?.revision', send: ['app-deployed'] },
      ]),
      'trigger.on-sync-failed': triggerYaml([
        { when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']", oncePer: 'app.status.operationState?.syncResult?.revision', send: ['app-sync-failed'] },
      ]),
      'trigger.on-health-degraded': triggerYaml([{ when: "app.status.health.status == 'Degraded'", send: ['app-health-degraded'] }]),
      // Argo CD's Rollout health check reports an aborted rollout (condition RolloutAborted) as Degraded with Argo
      // Rollouts' message "Rollout aborted update to revision N: ..." (the failed metric); once per synced revision.
      'trigger.on-rollout-aborted': triggerYaml([
        { when: "any(app.status.resources ?? [], {#.kind == 'Rollout' and #.health?.status == 'Degraded' and (#.health?.message ?? '') contains 'aborted'})", oncePer: 'app.status.sync.revision', send: ['rollout-aborted'] },
      ]),
    },
    subscriptions: [{ recipients, triggers: [...notificationTriggers] }],
  };
}

/**
 * A trigger's YAML, written by a YAML serializer: a condition is an expr expression, and one with
 * ` #` (expr's closure element, `{#.kind == ...}`) written as a plain YAML scalar is cut at the `#`,
 * which YAML reads as a comment (the notifications controller then refuses the whole configuration:
 * "unexpected token EOF"). Found by the canary rehearsal (`argocd admin notifications trigger run`).
 */
export function triggerYaml(conditions: readonly { when: string; oncePer?: string; send: readonly string[] }[]): string {
  const document = new Document(conditions.map((c) => ({ when: c.when, ...(c.oncePer ? { oncePer: c.oncePer } : {}), send: [...c.send] })));
  visit(document, { Seq: (_, node) => void (node.items.every((item) => isScalar(item)) && (node.flow = true)) });
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
