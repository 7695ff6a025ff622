import { beforeAll, describe, expect, it } from 'vitest';
import { buildAppChart } from '../../../src/charts/app-chart.js';
import { buildInfraBaseChart, buildInfraResourceChart, wireServiceInfra } from '../../../src/charts/infra-chart.js';
import { InputError } from '../../../src/errors.js';
import type { Cluster } from '../../../src/inputs/clusters.js';
import type { InfraResource } from '../../../src/inputs/infra.js';
import { loadPlatform, type ClusterPlatform } from '../../../src/inputs/platform.js';
import { synthChart, type Manifest } from '../../../src/render/manifest-files.js';
import { repoRoot } from '../../support/temp-repo.js';

/*
 * Every kind rendered with every provider, from the example inputs of the production cluster
 * (durability on) with the provider switched: targeted assertions on the fields, annotations and
 * names that matter. The committed rendered tree is the full snapshot.
 */

let production: ClusterPlatform;
beforeAll(async () => {
  const platform = await loadPlatform(repoRoot);
  production = platform.clusters.find((c) => c.cluster.name === 'production')!;
});

const providers = ['ack', 'crossplane'] as const;

function render(name: string, provider: Cluster['provider']): Manifest[] {
  const resource = { ...production.infra.find((r) => r.name === name)!, provider } as InfraResource;
  return synthChart((scope) => buildInfraResourceChart(scope, resource, production.cluster, production.services));
}

function find(manifests: Manifest[], kind: string, name: string): Manifest & { spec: any } {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind}/${name} in ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`).toBeDefined();
  return found as Manifest & { spec: any };
}

const annotations = (m: Manifest) => (m.metadata['annotations'] ?? {}) as Record<string, string>;

function expectProtected(m: Manifest, provider: Cluster['provider']): void {
  expect(annotations(m)['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  if (provider === 'ack') expect(annotations(m)['services.k8s.aws/deletion-policy']).toBe('retain');
  else expect((m as any).spec.deletionPolicy).toBe('Orphan');
}

describe.each(providers)('postgres with %s', (provider) => {
  it('renders a private, encrypted, Multi-AZ, deletion-protected instance with a final snapshot, named from the inputs', () => {
    const out = render('platform-db', provider);
    if (provider === 'ack') {
      const db = find(out, 'DBInstance', 'platform-db');
      expect(db.apiVersion).toBe('rds.services.k8s.aws/v1alpha1');
      expect(db.metadata.namespace).toBe('infra');
      expect(db.spec).toMatchObject({
        dbInstanceIdentifier: 'production-platform-db',
        engine: 'postgres',
        engineVersion: '16.4',
        storageEncrypted: true,
        publiclyAccessible: false,
        multiAZ: true,
        deletionProtection: true,
        backupRetentionPeriod: 30,
        dbSubnetGroupRef: { from: { name: 'platform-db' } },
        masterUserPassword: { namespace: 'infra', name: 'platform-db-master', key: 'password' },
      });
      expect(annotations(db)['rds.services.k8s.aws/skip-final-snapshot']).toBe('false');
      expect(annotations(db)['rds.services.k8s.aws/final-db-snapshot-identifier']).toBe('production-platform-db-final');
      expect(find(out, 'DBSubnetGroup', 'platform-db').spec.subnetIDs).toHaveLength(3);
      expectProtected(db, provider);
    } else {
      const db = find(out, 'Instance', 'platform-db');
      expect(db.apiVersion).toBe('rds.aws.upbound.io/v1beta3');
      expect(db.metadata.namespace).toBeUndefined();
      expect(db.spec.forProvider).toMatchObject({
        identifier: 'production-platform-db',
        region: 'eu-west-1',
        storageEncrypted: true,
        publiclyAccessible: false,
        multiAz: true,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: 'production-platform-db-final',
        dbSubnetGroupNameRef: { name: 'platform-db' },
        passwordSecretRef: { namespace: 'infra', name: 'platform-db-master', key: 'password' },
      });
      expect(db.spec.writeConnectionSecretToRef).toEqual({ name: 'platform-db-connection', namespace: 'infra' });
      expect(db.spec.providerConfigRef).toEqual({ name: 'default' });
      expect(annotations(find(out, 'SubnetGroup', 'platform-db'))['crossplane.io/external-name']).toBe('production-platform-db');
      expectProtected(db, provider);
    }
    const master = find(out, 'ExternalSecret', 'platform-db-master');
    expect(master.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'learning-platform/production/platform-db', property: 'password' } }]);
  });

  it('exports the endpoint to exactly the services that use the database', () => {
    const out = render('platform-db', provider);
    if (provider === 'ack') {
      const exports = out.filter((m) => m.kind === 'FieldExport');
      expect(exports.map((m) => (m as any).spec.to.namespace)).toEqual(['course-service', 'payment-service', 'user-service']);
      expect((exports[0] as any).spec).toEqual({
        from: { path: '.status.endpoint.address', resource: { group: 'rds.services.k8s.aws', kind: 'DBInstance', name: 'platform-db' } },
        to: { kind: 'configmap', name: 'platform-db-connection', namespace: 'course-service', key: 'PLATFORM_DB_HOST' },
      });
    } else {
      const store = find(out, 'ClusterSecretStore', 'platform-db-connection');
      expect(store.spec.conditions).toEqual([{ namespaces: ['course-service', 'payment-service', 'user-service'] }]);
      expect(store.spec.provider.kubernetes.remoteNamespace).toBe('infra');
      expect(find(out, 'Role', 'platform-db-connection')['rules']).toContainEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: ['platform-db-connection'], verbs: ['get'] });
    }
  });
});

describe.each(providers)('redis with %s', (provider) => {
  it('renders cluster mode with shards and replicas, encrypted at rest and in transit with an AUTH token', () => {
    const out = render('sessions-cache', provider);
    const group = find(out, 'ReplicationGroup', 'sessions-cache');
    expectProtected(group, provider);
    const auth = { namespace: 'infra', name: 'sessions-cache-auth', key: 'token' };
    if (provider === 'ack') {
      expect(group.spec).toMatchObject({
        replicationGroupID: 'production-sessions-cache',
        numNodeGroups: 3,
        replicasPerNodeGroup: 2,
        cacheParameterGroupName: 'default.redis7.cluster.on',
        automaticFailoverEnabled: true,
        multiAZEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: auth,
      });
      expect(find(out, 'FieldExport', 'sessions-cache-to-user-service').spec.from.path).toBe('.status.configurationEndpoint.address');
    } else {
      expect(group.apiVersion).toBe('elasticache.aws.upbound.io/v1beta2');
      expect(annotations(group)['crossplane.io/external-name']).toBe('production-sessions-cache');
      expect(group.spec.forProvider).toMatchObject({
        numNodeGroups: 3,
        replicasPerNodeGroup: 2,
        parameterGroupName: 'default.redis7.cluster.on',
        multiAzEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authTokenSecretRef: auth,
        finalSnapshotIdentifier: 'production-sessions-cache-final',
      });
    }
  });
});

describe.each(providers)('bucket with %s', (provider) => {
  it('renders a versioned, encrypted, private bucket with lifecycle tiers and cross-region replication', () => {
    const out = render('assets-bucket', provider);
    const bucket = find(out, 'Bucket', 'assets-bucket');
    expectProtected(bucket, provider);
    if (provider === 'ack') {
      // One object: the generated class of s3-controller v1.1.1's CRD holds every setting.
      expect(out.map((m) => `${m.apiVersion} ${m.kind}/${m.metadata.name}`)).toEqual(['s3.services.k8s.aws/v1alpha1 Bucket/assets-bucket']);
      expect(bucket.metadata.namespace).toBe('infra');
      expect(annotations(bucket)['services.k8s.aws/region']).toBe('eu-west-1');
      expect(bucket.spec).toMatchObject({
        name: 'learning-platform-production-assets',
        versioning: { status: 'Enabled' },
        publicAccessBlock: { blockPublicACLs: true, blockPublicPolicy: true, ignorePublicACLs: true, restrictPublicBuckets: true },
        ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(bucket.spec.encryption.rules).toEqual([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: expect.stringMatching(/^arn:aws:kms:/) }, bucketKeyEnabled: true },
      ]);
      expect(bucket.spec.lifecycle.rules).toEqual([
        { id: 'tiers', status: 'Enabled', filter: { prefix: '' }, transitions: [{ days: 30, storageClass: 'STANDARD_IA' }, { days: 180, storageClass: 'GLACIER_IR' }] },
        { id: 'noncurrent-versions', status: 'Enabled', filter: { prefix: '' }, noncurrentVersionExpiration: { noncurrentDays: 90 } },
        { id: 'incomplete-uploads', status: 'Enabled', filter: { prefix: '' }, abortIncompleteMultipartUpload: { daysAfterInitiation: expect.any(Number) } },
      ]);
      expect(bucket.spec.replication).toEqual({
        role: 'arn:aws:iam::123456789012:role/learning-platform-production-s3-replication',
        rules: [
          {
            id: 'cross-region',
            status: 'Enabled',
            priority: 1,
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            destination: {
              bucket: 'arn:aws:s3:::learning-platform-production-assets-replica',
              storageClass: 'STANDARD_IA',
              encryptionConfiguration: { replicaKMSKeyID: expect.stringMatching(/^arn:aws:kms:/) },
            },
            sourceSelectionCriteria: { sseKMSEncryptedObjects: { status: 'Enabled' } },
          },
        ],
      });
      expect(bucket.spec.tagging.tagSet).toContainEqual({ key: 'learning-platform:cluster', value: 'production' });
    } else {
      expect(annotations(bucket)['crossplane.io/external-name']).toBe('learning-platform-production-assets');
      expect(bucket.spec.forProvider.forceDestroy).toBe(false);
      expect(find(out, 'BucketVersioning', 'assets-bucket-versioning').spec.forProvider.versioningConfiguration).toEqual({ status: 'Enabled' });
      expect(find(out, 'BucketPublicAccessBlock', 'assets-bucket-public-access-block').spec.forProvider).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(find(out, 'BucketServerSideEncryptionConfiguration', 'assets-bucket-encryption').spec.forProvider.rule[0]).toMatchObject({ bucketKeyEnabled: true });
      expect(find(out, 'BucketLifecycleConfiguration', 'assets-bucket-lifecycle').spec.forProvider.rule.map((r: { id: string }) => r.id)).toEqual(['tiers', 'noncurrent-versions', 'incomplete-uploads']);
      const replication = find(out, 'BucketReplicationConfiguration', 'assets-bucket-replication');
      expect(replication.spec.forProvider.role).toBe('arn:aws:iam::123456789012:role/learning-platform-production-s3-replication');
      for (const m of out) expectProtected(m, provider);
    }
  });
});

describe('queue with crossplane', () => {
  it('renders an encrypted queue and its dead-letter queue, joined by a redrive policy', () => {
    const out = render('course-events', 'crossplane');
    const queue = find(out, 'Queue', 'course-events');
    const dlq = find(out, 'Queue', 'course-events-dlq');
    expectProtected(queue, 'crossplane');
    expectProtected(dlq, 'crossplane');
    const redrive = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:production-course-events-dlq', maxReceiveCount: 5 });
    expect(queue.spec.forProvider).toMatchObject({ name: 'production-course-events', visibilityTimeoutSeconds: 60, kmsMasterKeyId: expect.stringMatching(/^arn:aws:kms:/) });
    expect(dlq.spec.forProvider).toMatchObject({ name: 'production-course-events-dlq', messageRetentionSeconds: 1209600 });
    expect(find(out, 'QueueRedrivePolicy', 'course-events-redrive').spec.forProvider).toMatchObject({ queueUrlRef: { name: 'course-events' }, redrivePolicy: redrive });
  });
});

describe('queue with ack', () => {
  it('refuses with an input error: no sqs-controller CRD is served, so nothing could validate an ACK Queue', () => {
    let thrown: unknown;
    try {
      render('course-events', 'ack');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).issues).toEqual([
      { file: 'infra/course-events.yaml', path: 'provider', message: 'ACK SQS cannot be validated here: no sqs-controller CRD is served; use provider: crossplane' },
    ]);
  });
});

describe('cluster-wide infra objects', () => {
  it('renders the infra namespace with a default-deny policy, and a ProviderConfig only where Crossplane is used', () => {
    const ack = synthChart((scope) => buildInfraBaseChart(scope, production.cluster, production.infra.map((r) => ({ ...r, provider: 'ack' }) as InfraResource)));
    expect(ack.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Namespace/infra', 'NetworkPolicy/default-deny']);
    const mixed = synthChart((scope) => buildInfraBaseChart(scope, production.cluster, production.infra));
    const config = find(mixed, 'ProviderConfig', 'default');
    expect(config.spec).toEqual({ credentials: { source: 'IRSA' } });
  });
});

describe('service wiring', () => {
  function serviceObjects(name: string, provider: Cluster['provider']) {
    const infra = production.infra.map((r) => ({ ...r, provider }) as InfraResource);
    const service = production.services.find((s) => s.name === name)!;
    return synthChart((scope) => buildAppChart(scope, service, { cluster: production.cluster, services: production.services, ...wireServiceInfra(scope, service, production.cluster, infra) }));
  }

  it.each(providers)('a service that uses the database gets its endpoint, credentials and network path, and nothing else (%s)', (provider) => {
    const out = serviceObjects('payment-service', provider);
    const connection = find(out, 'ConfigMap', 'platform-db-connection');
    expect(connection['data']).toEqual({ PLATFORM_DB_DATABASE: 'platform', PLATFORM_DB_PORT: '5432', PLATFORM_DB_SSLMODE: 'require' });
    const credentials = find(out, 'ExternalSecret', 'platform-db-credentials');
    expect(credentials.spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['PLATFORM_DB_PASSWORD', 'PLATFORM_DB_USERNAME']);
    // payment-service releases as a canary in production: its Rollout carries the pod template.
    const deployment = find(out, 'Rollout', 'payment-service');
    const envFrom = deployment.spec.template.spec.containers[0].envFrom as { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    const sources = envFrom.map((e) => e.configMapRef?.name ?? e.secretRef?.name);
    expect(sources).toEqual(
      provider === 'ack'
        ? ['payment-service-env', 'platform-db-connection', 'payment-service-env', 'platform-db-credentials']
        : ['payment-service-env', 'platform-db-connection', 'payment-service-env', 'platform-db-credentials', 'platform-db-endpoint'],
    );
    const policy = find(out, 'NetworkPolicy', 'payment-service');
    const ipEgress = policy.spec.egress.filter((rule: { to: { ipBlock?: unknown }[] }) => rule.to.some((peer) => peer.ipBlock));
    expect(ipEgress).toEqual([
      {
        to: [{ ipBlock: { cidr: '10.20.64.0/24' } }, { ipBlock: { cidr: '10.20.65.0/24' } }, { ipBlock: { cidr: '10.20.66.0/24' } }],
        ports: [{ port: 5432, protocol: 'TCP' }],
      },
    ]);
    expect(out.some((m) => m.metadata.name.startsWith('sessions-cache') || m.metadata.name.startsWith('assets-bucket'))).toBe(false);
    if (provider === 'crossplane') {
      expect(find(out, 'ExternalSecret', 'platform-db-endpoint').spec.data).toEqual([{ secretKey: 'PLATFORM_DB_HOST', remoteRef: { key: 'platform-db-connection', property: 'address' } }]);
    }
  });

  it('opens S3 and SQS over 443 to their endpoints only', () => {
    const out = serviceObjects('course-service', 'crossplane');
    const policy = find(out, 'NetworkPolicy', 'course-service');
    const https = policy.spec.egress.filter((rule: { ports: { port: number }[] }) => rule.ports.some((p) => p.port === 443));
    expect(https).toHaveLength(2);
    expect(find(out, 'ConfigMap', 'assets-bucket-connection')['data']).toEqual({ ASSETS_BUCKET: 'learning-platform-production-assets', ASSETS_REGION: 'eu-west-1' });
    expect(find(out, 'ConfigMap', 'course-events-connection')['data']).toMatchObject({ COURSE_EVENTS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/production-course-events' });
  });
});
