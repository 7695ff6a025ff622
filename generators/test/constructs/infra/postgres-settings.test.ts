/*
 * One source for the RDS settings: every provider-neutral setting of `postgres-settings.ts` is read
 * back from the ACK and the Crossplane rendering, in each CRD's own field names, and must equal
 * the setting, for the production database and for a non-production variant (no Multi-AZ, no
 * final snapshot, no deletion protection, no KMS key). A setting a construct spells on its own, or
 * one added to the settings and rendered by one provider only, fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInfraResourceChart } from '../../../src/charts/infra-chart.js';
import { postgresSettings, type PostgresSettings } from '../../../src/constructs/infra/postgres-settings.js';
import type { Cluster } from '../../../src/inputs/clusters.js';
import type { PostgresResource } from '../../../src/inputs/infra.js';
import { loadPlatform, type ClusterPlatform } from '../../../src/inputs/platform.js';
import { synthChart, type Manifest } from '../../../src/render/manifest-files.js';
import { repoRoot } from '../../support/temp-repo.js';

let production: ClusterPlatform;
let db: PostgresResource;
beforeAll(async () => {
  const platform = await loadPlatform(repoRoot);
  production = platform.clusters.find((c) => c.cluster.name === 'production')!;
  db = production.infra.find((r) => r.name === 'platform-db') as PostgresResource;
});

const variants: Record<string, (db: PostgresResource) => PostgresResource> = {
  'the production database': (input) => input,
  'a non-production variant': (input) => ({ ...input, multiAZ: false, finalSnapshot: false, deletionProtection: false, kmsKeyArn: undefined, backupRetentionDays: 7, allocatedStorageGiB: 20, maxAllocatedStorageGiB: 40 }),
};

function render(input: PostgresResource, provider: Cluster['provider']): Manifest[] {
  return synthChart((scope) => buildInfraResourceChart(scope, { ...input, provider }, production.cluster, production.services));
}

function find(manifests: Manifest[], kind: string): any {
  const found = manifests.find((m) => m.kind === kind);
  expect(found, kind).toBeDefined();
  return found;
}

/** The settings as the ACK objects spell them (ACK reads deletion behaviour from annotations). */
function fromAck(manifests: Manifest[]): PostgresSettings {
  const instance = find(manifests, 'DBInstance');
  const subnets = find(manifests, 'DBSubnetGroup');
  const spec = instance.spec;
  const annotations = instance.metadata.annotations as Record<string, string>;
  const skip = annotations['rds.services.k8s.aws/skip-final-snapshot'];
  expect(subnets.spec.name).toBe(spec.dbInstanceIdentifier);
  return {
    identifier: spec.dbInstanceIdentifier,
    engine: spec.engine,
    engineVersion: spec.engineVersion,
    instanceClass: spec.dbInstanceClass,
    allocatedStorageGiB: spec.allocatedStorage,
    maxAllocatedStorageGiB: spec.maxAllocatedStorage,
    storageType: spec.storageType,
    storageEncrypted: spec.storageEncrypted,
    kmsKeyId: spec.kmsKeyID,
    multiAz: spec.multiAZ,
    publiclyAccessible: spec.publiclyAccessible,
    vpcSecurityGroupIds: spec.vpcSecurityGroupIDs,
    port: spec.port,
    dbName: spec.dbName,
    masterUsername: spec.masterUsername,
    backupRetentionDays: spec.backupRetentionPeriod,
    deletionProtection: spec.deletionProtection,
    copyTagsToSnapshot: spec.copyTagsToSnapshot,
    autoMinorVersionUpgrade: spec.autoMinorVersionUpgrade,
    cloudwatchLogsExports: spec.enableCloudwatchLogsExports,
    // rds-controller v1.10.1 pkg/util/annotations.go: no skip annotation skips the snapshot.
    finalSnapshotIdentifier: (skip ?? 'true') === 'false' ? annotations['rds.services.k8s.aws/final-db-snapshot-identifier'] : undefined,
    // Without the annotation the controller leaves it to AWS, whose default removes the backups.
    deleteAutomatedBackups: (annotations['rds.services.k8s.aws/delete-automated-backups'] ?? 'true') === 'true',
    subnetGroup: { description: subnets.spec.description, subnetIds: subnets.spec.subnetIDs },
  } as unknown as PostgresSettings;
}

/** The settings as the Crossplane objects spell them. */
function fromCrossplane(manifests: Manifest[]): PostgresSettings {
  const instance = find(manifests, 'Instance');
  const subnets = find(manifests, 'SubnetGroup');
  const p = instance.spec.forProvider;
  expect(subnets.metadata.annotations['crossplane.io/external-name']).toBe(p.identifier);
  return {
    identifier: p.identifier,
    engine: p.engine,
    engineVersion: p.engineVersion,
    instanceClass: p.instanceClass,
    allocatedStorageGiB: p.allocatedStorage,
    maxAllocatedStorageGiB: p.maxAllocatedStorage,
    storageType: p.storageType,
    storageEncrypted: p.storageEncrypted,
    kmsKeyId: p.kmsKeyId,
    multiAz: p.multiAz,
    publiclyAccessible: p.publiclyAccessible,
    vpcSecurityGroupIds: p.vpcSecurityGroupIds,
    port: p.port,
    dbName: p.dbName,
    masterUsername: p.username,
    backupRetentionDays: p.backupRetentionPeriod,
    deletionProtection: p.deletionProtection,
    copyTagsToSnapshot: p.copyTagsToSnapshot,
    autoMinorVersionUpgrade: p.autoMinorVersionUpgrade,
    cloudwatchLogsExports: p.enabledCloudwatchLogsExports,
    finalSnapshotIdentifier: p.skipFinalSnapshot === false ? p.finalSnapshotIdentifier : undefined,
    // provider-aws CRD (rds Instance): "Default is true."
    deleteAutomatedBackups: p.deleteAutomatedBackups ?? true,
    subnetGroup: { description: subnets.spec.forProvider.description, subnetIds: subnets.spec.forProvider.subnetIds },
  } as unknown as PostgresSettings;
}

// toEqual: a setting left out (no KMS key, no final snapshot) matches a field the rendering leaves out.
describe.each(Object.entries(variants))('the RDS settings of %s', (_name, variant) => {
  it('are what ACK renders, field by field', () => {
    const input = variant(db);
    expect(fromAck(render(input, 'ack'))).toEqual(postgresSettings(input));
  });

  it('are what Crossplane renders, field by field', () => {
    const input = variant(db);
    expect(fromCrossplane(render(input, 'crossplane'))).toEqual(postgresSettings(input));
  });
});

describe('postgresSettings', () => {
  it('holds the secure defaults whatever the input: encrypted, private, gp3, backups kept', () => {
    for (const variant of Object.values(variants)) {
      expect(postgresSettings(variant(db))).toMatchObject({ storageEncrypted: true, publiclyAccessible: false, storageType: 'gp3', deleteAutomatedBackups: false, copyTagsToSnapshot: true });
    }
    expect(postgresSettings(variants['a non-production variant']!(db))).toMatchObject({ multiAz: false, deletionProtection: false });
    expect(postgresSettings(db).finalSnapshotIdentifier).toBe('production-platform-db-final');
    expect(postgresSettings(variants['a non-production variant']!(db)).finalSnapshotIdentifier).toBeUndefined();
  });
});

