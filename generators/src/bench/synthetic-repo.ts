import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

/** Cluster inputs of the synthetic platform: two EKS clusters and one k3s cluster. */
const clusters = {
  production: { flavor: 'eks', domain: 'example.com' },
  staging: { flavor: 'k3s', domain: 'staging.example.com' },
  // A performance environment: EKS, but not production (its images are tags, not digests).
  perf: { flavor: 'eks', domain: 'perf.example.com', production: false },
} as const;

/** IAM roles of the add-ons of an EKS cluster with provider ack and no infra resources (crossplane: the Pod Identity associations). */
const benchAddonRoles = ['aws-load-balancer-controller', 'external-dns', 'amazon-cloudwatch-observability', 'adot-collector', 'argo-rollouts', 'ack-rds', 'ack-elasticache', 'ack-s3', 'crossplane'];

/** This repository (the example inputs): the nearest folder above this module holding clusters/addons.yaml (source or dist). */
export function exampleRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'clusters/addons.yaml'))) return dir;
  }
  throw new Error('clusters/addons.yaml not found above the benchmark module');
}

/** Writes a repository with `services` services rendered into three clusters. */
export async function writeSyntheticRepo(root: string, services: number): Promise<void> {
  for (const [name, { flavor, domain, ...rest }] of Object.entries(clusters)) {
    const dir = path.join(root, 'clusters', name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'cluster.yaml'),
      stringify({
        flavor,
        ...rest,
        kubernetesVersion: '1.35',
        region: 'eu-west-1',
        domain,
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        provider: flavor === 'eks' ? 'ack' : 'crossplane',
        network: { vpcCidr: '10.0.0.0/16' },
        ingress:
          flavor === 'eks'
            ? { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/bench', wafAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/bench/1' }
            : { entrypoint: 'websecure' },
        argocd: { repoURL: 'https://github.com/example-org/bench.git' },
        ...(flavor === 'eks'
          ? {
              eks: { clusterName: `bench-${name}`, vpcId: 'vpc-0bench', addonRoles: Object.fromEntries(benchAddonRoles.map((addon) => [addon, `arn:aws:iam::123456789012:role/bench-${addon}`])) },
              secretStores: { roleArn: 'arn:aws:iam::123456789012:role/bench-external-secrets' },
            }
          : { k3s: { version: 'v1.35.4+k3s1', helmController: 'v0.17.1' } }),
      }),
    );
  }
  // The pinned add-on charts every cluster installs: the example repository's.
  await copyFile(path.join(exampleRoot(), 'clusters/addons.yaml'), path.join(root, 'clusters/addons.yaml'));
  for (let i = 0; i < services; i++) {
    const name = `service-${String(i).padStart(4, '0')}`;
    const dir = path.join(root, 'apps', name);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'service.yaml'),
      stringify({
        team: `team-${i % 12}`,
        image: { repository: `learning-platform/${name}`, tag: `1.${i}.0` },
        ports: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9090 },
        ],
        ...(i % 3 === 0 ? { autoscaling: { minReplicas: 2, maxReplicas: 10 } } : { replicas: 2 }),
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        probes: { readiness: { path: '/ready', port: 'http' }, liveness: { path: '/live', port: 'http' } },
        env: { LOG_LEVEL: 'info', SERVICE_INDEX: String(i) },
        ...(i % 4 === 0 ? { secretEnv: { DB_PASSWORD: { store: 'secrets-manager', key: `bench/${name}`, property: 'password' } } } : {}),
        ...(i % 2 === 0 ? { ingress: { host: 'api', path: `/${name}`, port: 'http' } } : {}),
        allowFrom: i > 0 ? [`service-${String(i - 1).padStart(4, '0')}`] : [],
      }),
    );
    await writeFile(path.join(dir, 'production.yaml'), stringify({ image: { tag: `1.${i}.0`, digest: `sha256:${'ab'.repeat(32)}` }, ...(i % 3 === 0 ? {} : { replicas: 3 }) }));
  }
}
