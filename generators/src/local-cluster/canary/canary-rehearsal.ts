/**
 * The canary rehearsal: each service whose Rollout runs a canary is deployed on a local cluster
 * that runs things (kube-apiserver, kube-controller-manager, kube-scheduler, kwok, the pinned Argo
 * Rollouts controller, and the local Elastic Load Balancing v2 and CloudWatch endpoints), becomes
 * Healthy, and then has its image changed the way `deploy`/`promote` change it, once per scenario:
 *
 * 1. **healthy** metrics (or a passing integration-test Job): every step's weight must appear on the
 *    Ingress action annotation the controller manages, every AnalysisRun be Successful, and the
 *    Rollout end Healthy with the new image stable;
 * 2. **failing** metrics (or a failing Job): an AnalysisRun Failed, the Rollout aborted (Degraded)
 *    and the canary's weight back at 0; the stable image is then restored;
 * 3. **no data** (ALB only): the canary's target group publishes nothing; the Rollout must not reach
 *    100%.
 *
 * Services run side by side (one namespace each); the waits of the rehearsal's copy are shortened
 * (`rehearsal-copy.ts`). The objects are the committed rendered ones, applied directly (Argo CD's
 * part, the sync, is rehearsed by `rehearse`).
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';
import type { EnsureOptions } from '../../tools/go.js';
import { planCrds } from '../../validate/apiserver/crd-install.js';
import type { KubeClient } from '../../validate/apiserver/kube-client.js';
import { withApiServer, type ApiSession } from '../../validate/apiserver/session.js';
import type { PreparedCrdSource } from '../../validate/crd-sources.js';
import { startAwsEndpoints, type AwsEndpoints, type MetricSource } from '../aws/aws-endpoints.js';
import { isAlbIngress, type AlbModel, type IngressView } from '../aws/alb-model.js';
import { startBehaviour, type RunningBehaviour } from '../behaviour.js';
import type { BehaviourBinaries } from '../binaries.js';
import { FAIL_POD_LABEL } from '../kwok.js';
import type { ClusterFlavor } from '../nodes.js';
import { argoCdView, type ArgoCdJudgeConfig } from './argocd-judge.js';
import { rolloutImage, shortenAnalysis, shortenRollout, withFailingJob, withImageTag } from './rehearsal-copy.js';
import { canaryDatapoint, judge, type Judgement, type Observation, type ScenarioName } from './scenarios.js';

type Obj = Record<string, unknown>;

/** One service's rendered objects (`clusters/<c>/rendered/apps/<service>/`). */
export interface CanaryService {
  readonly name: string;
  readonly objects: readonly Obj[];
  /** Scenarios of this service (default: the rehearsal's). */
  readonly scenarios?: readonly ScenarioName[];
}

export interface CanaryRehearsalOptions {
  readonly flavor: ClusterFlavor;
  readonly region: string;
  /** AWS account id of the ARNs (12 digits). */
  readonly account: string;
  readonly services: readonly CanaryService[];
  readonly controlPlane: ControlPlaneBinaries;
  readonly behaviour: BehaviourBinaries;
  readonly crdSources: readonly PreparedCrdSource[];
  readonly cacheRoot: string;
  /** Scenarios to run (default: all that apply). */
  readonly scenarios?: readonly ScenarioName[];
  /** The pinned Argo CD and the tree's argocd-cm and notifications: Argo CD's health of an aborted Rollout and the aborted-rollout trigger are judged with it. */
  readonly argoCd?: Omit<ArgoCdJudgeConfig, 'kubeconfig'>;
  /** Per scenario (default 150 s). */
  readonly scenarioSeconds?: number;
  readonly signal?: AbortSignal;
  readonly log?: EnsureOptions['log'];
}

export interface ScenarioResult {
  readonly observation: Observation;
  readonly judgement: Judgement;
}

export interface CanaryResult {
  readonly service: string;
  /** `alb` (traffic routing by the Ingress) or `replicas` (weight by replica counts). */
  readonly routing: 'alb' | 'replicas';
  readonly analysis: 'cloudwatch' | 'job' | 'none';
  readonly expectedWeights: readonly number[];
  /** Why the service could not be rehearsed (never counted as passed). */
  readonly notRehearsed?: string;
  readonly scenarios: readonly ScenarioResult[];
  /** Objects not applied (kind not served), with why. */
  readonly skipped: readonly string[];
}

export interface CanaryRehearsal {
  readonly results: readonly CanaryResult[];
  readonly seconds: number;
  /** The AWS calls the controller made, by action. */
  readonly awsCalls: Readonly<Record<string, number>>;
}

const kindOf = (o: Obj) => String(o['kind']);
const meta = (o: Obj) => (o['metadata'] ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };

/** The Rollout of a service with a canary strategy, if any. */
export function canaryRollout(service: CanaryService): Obj | undefined {
  return service.objects.find((o) => kindOf(o) === 'Rollout' && (o['spec'] as { strategy?: { canary?: unknown } } | undefined)?.strategy?.canary);
}

/** Rehearses the canaries of `services` on one local cluster; always stops what it started. */
export async function rehearseCanaries(options: CanaryRehearsalOptions): Promise<CanaryRehearsal> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const services = options.services.filter((s) => canaryRollout(s));
  const objects = services.flatMap((s) => s.objects);
  const plan = await planCrds(options.crdSources, usedVersions(objects));
  return withApiServer({ binaries: options.controlPlane, plan, cacheRoot: options.cacheRoot, signal: options.signal, log }, async (session) => {
    const state = new Map<string, { scenario: ScenarioName; servesTraffic: boolean }>();
    let model: AlbModel = { loadBalancers: [], targetGroups: [] };
    const weightOf = (targetGroupArn: string) => model.loadBalancers.flatMap((lb) => lb.rules).flatMap((rule) => rule.targets).find((t) => t.targetGroupArn === targetGroupArn)?.weight ?? 0;
    const metrics: MetricSource = (query, target) => {
      const tg = target.targetGroup;
      if (!tg) return undefined;
      const service = state.get(tg.namespace);
      // Only the canary target group of a service under rehearsal publishes: the stable one is not judged.
      if (!service || !tg.service.endsWith('-canary')) return undefined;
      return canaryDatapoint(service.scenario, query.metricName, weightOf(tg.arn), service.servesTraffic);
    };
    let endpoints: AwsEndpoints | undefined;
    let behaviour: RunningBehaviour | undefined;
    try {
      endpoints = await startAwsEndpoints({
        region: options.region,
        account: options.account,
        ingresses: async () => listAll<IngressView>(session.client, '/apis/networking.k8s.io/v1/ingresses'),
        servicePorts: async () => {
          const all = await listAll<{ metadata: { name: string; namespace: string }; spec?: { ports?: { name?: string; port: number }[] } }>(session.client, '/api/v1/services');
          return (namespace, name) => new Map((all.find((s) => s.metadata.namespace === namespace && s.metadata.name === name)?.spec?.ports ?? []).map((p) => [p.name ?? '', p.port]));
        },
        metrics,
      });
      if (options.flavor === 'eks') await applyOrThrow(session, targetGroupBindingStandIn());
      behaviour = await startBehaviour({ binaries: options.behaviour, connection: session.connection, client: session.client, flavor: options.flavor, region: options.region, rollouts: { env: endpoints.env }, signal: options.signal, log });
      const running = behaviour;
      const aws = endpoints;
      // The AWS Load Balancer Controller's part: each ALB Ingress gets its load balancer's DNS name.
      const refresh = async () => {
        model = await aws.model();
        for (const lb of model.loadBalancers) {
          for (const ref of lb.ingresses) {
            const [namespace, name] = ref.split('/') as [string, string];
            await session.client.request('PATCH', `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}/status`, JSON.stringify({ status: { loadBalancer: { ingress: [{ hostname: lb.dnsName }] } } }), { 'content-type': 'application/merge-patch+json' });
          }
        }
        for (const service of services) {
          const entry = state.get(service.name);
          if (entry) entry.servesTraffic = await servesTraffic(session.client, service.name, `${service.name}-canary`);
        }
      };
      let refreshing = true;
      const refresher = (async () => {
        while (refreshing) {
          await refresh().catch(() => undefined);
          await sleep(500);
        }
      })();
      try {
        const results = await Promise.all(services.map((service) => rehearseService(service, session, running, state, options, log)));
        const awsCalls: Record<string, number> = {};
        for (const call of aws.calls) awsCalls[call.action] = (awsCalls[call.action] ?? 0) + 1;
        return { results, seconds: Math.round((Date.now() - started) / 100) / 10, awsCalls };
      } finally {
        refreshing = false;
        await refresher;
      }
    } finally {
      await behaviour?.stop();
      await endpoints?.close();
    }
  });
}

async function rehearseService(service: CanaryService, session: ApiSession, behaviour: RunningBehaviour, state: Map<string, { scenario: ScenarioName; servesTraffic: boolean }>, options: CanaryRehearsalOptions, log: (line: string) => void): Promise<CanaryResult> {
  const rollout = shortenRollout(canaryRollout(service)!);
  const namespace = meta(rollout).namespace ?? service.name;
  const canary = (rollout['spec'] as { strategy: { canary: { trafficRouting?: { alb?: { ingress?: string } }; stableService?: string; steps?: { setWeight?: number; analysis?: unknown }[] } } }).strategy.canary;
  const alb = Boolean(canary.trafficRouting?.alb);
  const expectedWeights = (canary.steps ?? []).flatMap((s) => (s.setWeight !== undefined ? [s.setWeight] : []));
  const template = service.objects.find((o) => kindOf(o) === 'AnalysisTemplate');
  const analysis: CanaryResult['analysis'] = !template ? 'none' : JSON.stringify(template).includes('"cloudWatch"') ? 'cloudwatch' : 'job';
  const base = { service: service.name, routing: alb ? 'alb' : 'replicas', analysis, expectedWeights } as const;
  state.set(namespace, { scenario: 'healthy', servesTraffic: true });
  const skipped: string[] = [];
  // Namespace first, then everything else in file order; the Rollout and its template shortened.
  const ordered = [...service.objects].sort((a, b) => Number(kindOf(b) === 'Namespace') - Number(kindOf(a) === 'Namespace'));
  for (const object of ordered) {
    const copy = kindOf(object) === 'Rollout' ? rollout : kindOf(object) === 'AnalysisTemplate' ? shortenAnalysis(object) : object;
    const answer = await session.apply(copy);
    if (answer.status < 200 || answer.status >= 300) skipped.push(`${kindOf(object)} ${meta(object).name}: ${String(answer.body['message'] ?? answer.status)}`);
  }
  const deadline = (options.scenarioSeconds ?? 150) * 1000;
  const first = await follow(session.client, behaviour, namespace, meta(rollout).name!, canary.stableService ?? service.name, 'healthy', rolloutImage(rollout), deadline, options.signal);
  if (!(first.final.phase === 'Healthy' && first.final.stableImage)) {
    const why = first.unschedulable ? `a pod cannot be scheduled: ${first.unschedulable}` : `${first.final.phase}: ${first.final.message || 'no message'}`;
    return { ...base, notRehearsed: `the first release never became Healthy (${why})${skipped.length ? `; not applied: ${skipped.join('; ')}` : ''}`, scenarios: [], skipped };
  }
  const wanted = service.scenarios ?? options.scenarios ?? ['healthy', 'failing', 'no-data'];
  const scenarios: ScenarioResult[] = [];
  let current = rollout;
  let release = 1;
  for (const scenario of wanted) {
    if (scenario === 'no-data' && analysis !== 'cloudwatch') continue;
    state.set(namespace, { scenario, servesTraffic: true });
    const stable = current;
    release++;
    const next = withImageTag(current, `rehearsal-${release}`);
    if (analysis === 'job' && template) await session.apply(scenario === 'failing' ? withFailingJob(shortenAnalysis(template), FAIL_POD_LABEL) : shortenAnalysis(template));
    await session.apply(next);
    log(`canary ${service.name}: ${scenario}: image ${rolloutImage(next)}`);
    let observation = await follow(session.client, behaviour, namespace, meta(rollout).name!, canary.stableService ?? service.name, scenario, rolloutImage(next), deadline, options.signal);
    if (scenario === 'failing' && options.argoCd) {
      const live = (await session.client.get(`/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${meta(rollout).name}`)).body;
      observation = { ...observation, argoCd: await argoCdView({ ...options.argoCd, kubeconfig: path.join(behaviour.workDir, 'kubeconfig') }, live, { name: `app-${service.name}`, namespace }) };
    }
    const judgement = judge(observation, expectedWeights, alb);
    scenarios.push({ observation, judgement });
    log(`canary ${service.name}: ${scenario}: ${judgement.ok ? 'as expected' : judgement.problems.join('; ')} (${observation.seconds} s)`);
    if (scenario === 'healthy' && observation.promoted) {
      current = next;
      continue;
    }
    // Back to the stable release, as reverting the commit would: abort first when the Rollout is paused mid-way.
    await session.client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${meta(rollout).name}/status`, JSON.stringify({ status: { abort: true } }), { 'content-type': 'application/merge-patch+json' });
    if (analysis === 'job' && template) await session.apply(shortenAnalysis(template));
    await session.apply(stable);
    await follow(session.client, behaviour, namespace, meta(rollout).name!, canary.stableService ?? service.name, 'healthy', rolloutImage(stable), deadline, options.signal);
  }
  return { ...base, scenarios, skipped };
}

interface RolloutView {
  metadata?: { generation?: number };
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { phase?: string; message?: string; abort?: boolean; currentStepIndex?: number; stableRS?: string; currentPodHash?: string; observedGeneration?: string; pauseConditions?: { reason: string }[] };
}

/** Watches a Rollout move to `image` until it settles (Healthy with it stable, Degraded, or paused for a person), or the deadline. */
async function follow(client: KubeClient, behaviour: RunningBehaviour, namespace: string, name: string, stableService: string, scenario: ScenarioName, image: string, deadlineMs: number, signal?: AbortSignal): Promise<Observation> {
  const started = Date.now();
  const weights: number[] = [];
  const stepIndexes: number[] = [];
  const runs = new Map<string, { name: string; phase: string; message?: string; created: string }>();
  let promoted = false;
  let settledSince: number | undefined;
  for (;;) {
    signal?.throwIfAborted();
    behaviour.assertRunning();
    const ro = (await client.get(`/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`)).body as RolloutView;
    const status = ro.status ?? {};
    const observed = String(ro.metadata?.generation ?? '') === String(status.observedGeneration ?? '');
    const newImage = ro.spec?.template?.spec?.containers?.[0]?.image === image;
    const stableImage = newImage && observed && Boolean(status.stableRS) && status.stableRS === status.currentPodHash;
    if (stableImage && status.phase === 'Healthy') promoted = true;
    if (status.currentStepIndex !== undefined && stepIndexes.at(-1) !== status.currentStepIndex) stepIndexes.push(status.currentStepIndex);
    const ingress = (await client.get(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`)).body as { items?: IngressView[] };
    for (const item of (ingress.items ?? []).filter(isAlbIngress)) {
      const action = item.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${stableService}`];
      if (!action) continue;
      const canaryWeight = (JSON.parse(action) as { ForwardConfig?: { TargetGroups?: { ServiceName?: string; Weight?: number }[] } }).ForwardConfig?.TargetGroups?.find((tg) => tg.ServiceName !== stableService)?.Weight;
      if (canaryWeight !== undefined && weights.at(-1) !== canaryWeight) weights.push(canaryWeight);
    }
    const list = (await client.get(`/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`)).body as { items?: { metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> }; status?: { phase?: string; message?: string } }[] };
    for (const run of list.items ?? []) {
      if (Date.parse(run.metadata.creationTimestamp) < started - 1000) continue;
      runs.set(run.metadata.name, { name: run.metadata.name, phase: run.status?.phase ?? 'Pending', ...(run.status?.message ? { message: run.status.message } : {}), created: run.metadata.creationTimestamp });
    }
    const pauseReasons = (status.pauseConditions ?? []).map((p) => p.reason);
    const pods = (await client.get(`/api/v1/namespaces/${namespace}/pods`)).body as { items?: { metadata: { creationTimestamp: string }; status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] } }[] };
    const stuck = (pods.items ?? [])
      .flatMap((pod) => pod.status?.conditions ?? [])
      .find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable' && Date.parse(c.lastTransitionTime ?? '') < Date.now() - 5_000);
    const runsDone = [...runs.values()].every((r) => ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(r.phase));
    const end =
      (status.phase === 'Healthy' && stableImage) ||
      (status.phase === 'Degraded' && Boolean(status.abort) && observed) ||
      (pauseReasons.some((reason) => reason.startsWith('InconclusiveAnalysis')) && runsDone);
    const now = Date.now();
    if (end) settledSince ??= now;
    else settledSince = undefined;
    const timeout = now - started > deadlineMs;
    // Settled for 2 s: the traffic switch back and the last runs' phases are in.
    if ((settledSince !== undefined && now - settledSince >= 2_000) || timeout || stuck) {
      return {
        scenario,
        image,
        weights,
        stepIndexes,
        analysisRuns: [...runs.values()].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name)).map(({ created: _created, ...run }) => run),
        final: { phase: status.phase ?? '', message: status.message ?? '', abort: Boolean(status.abort), pauseReasons, stableImage },
        promoted,
        seconds: Math.round((now - started) / 100) / 10,
        ended: stuck ? 'unschedulable' : timeout && settledSince === undefined ? 'timeout' : 'settled',
        ...(stuck ? { unschedulable: stuck.message ?? 'Unschedulable' } : {}),
      };
    }
    await sleep(400, undefined, { signal });
  }
}

/** True when the Service has at least one ready endpoint (an ALB target group would have healthy targets). */
async function servesTraffic(client: KubeClient, namespace: string, service: string): Promise<boolean> {
  const answer = await client.get(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`);
  const slices = (answer.body['items'] ?? []) as { endpoints?: { conditions?: { ready?: boolean } }[] }[];
  return slices.some((slice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready !== false));
}

async function listAll<T>(client: KubeClient, path: string): Promise<T[]> {
  const answer = await client.get(path);
  return (answer.body['items'] ?? []) as T[];
}

async function applyOrThrow(session: ApiSession, object: Obj): Promise<void> {
  const answer = await session.apply(object);
  if (answer.status >= 300) throw new Error(`cannot apply ${kindOf(object)} ${meta(object).name}: ${String(answer.body['message'] ?? answer.status)}`);
}

/**
 * A stand-in for the AWS Load Balancer Controller's TargetGroupBinding CRD (its chart is external and
 * its Go module is not served by the proxy at the pinned release): no schema, only the kind, so Argo
 * Rollouts' target group verification can list TargetGroupBindings (none exist: the controller that
 * would create them does not run, so the registration of pod IPs is not verified here).
 */
export function targetGroupBindingStandIn(): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'targetgroupbindings.elbv2.k8s.aws' },
    spec: {
      group: 'elbv2.k8s.aws',
      names: { kind: 'TargetGroupBinding', listKind: 'TargetGroupBindingList', plural: 'targetgroupbindings', singular: 'targetgroupbinding' },
      scope: 'Namespaced',
      versions: [{ name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

function usedVersions(objects: readonly Obj[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (group: string, kind: string, version: string) => used.set(`${group}/${kind}`, new Set([...(used.get(`${group}/${kind}`) ?? []), version]));
  for (const kind of ['Rollout', 'AnalysisTemplate', 'AnalysisRun', 'Experiment', 'ClusterAnalysisTemplate']) add('argoproj.io', kind, 'v1alpha1');
  for (const object of objects) {
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    if (!apiVersion.includes('/')) continue;
    const [group, version] = apiVersion.split('/') as [string, string];
    add(group, kindOf(object), version);
  }
  return used;
}
