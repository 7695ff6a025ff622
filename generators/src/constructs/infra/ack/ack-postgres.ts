import { Construct } from 'constructs';
import { DbInstance, DbSubnetGroup } from '../../../../imports/rds.services.k8s.aws.js';
import type { PostgresResource } from '../../../inputs/infra.js';
import { connectionOf } from '../connection.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { postgresSettings } from '../postgres-settings.js';
import { ackAnnotations, deletionProtectionExemption } from '../protection.js';
import { AckEndpointExport } from './ack-endpoint-export.js';

/** ACK RDS annotations that make a deleted instance leave a final snapshot (the controller skips it by default). */
export const ackFinalSnapshotAnnotations = {
  skip: 'rds.services.k8s.aws/skip-final-snapshot',
  identifier: 'rds.services.k8s.aws/final-db-snapshot-identifier',
  deleteAutomatedBackups: 'rds.services.k8s.aws/delete-automated-backups',
} as const;

/**
 * PostgreSQL on RDS through ACK: a DBSubnetGroup and a DBInstance with the provider-neutral
 * settings of `postgres-settings.ts` (encrypted, private, Multi-AZ and deletion-protected unless the
 * input says otherwise outside production, final snapshot), the master password from a secret
 * store, and the endpoint exported to every service that uses it.
 */
export class AckPostgres extends Construct {
  constructor(scope: Construct, id: string, db: PostgresResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(db.name);
    const tags = Object.entries(awsTags(db.name, db.cluster)).map(([key, value]) => ({ key, value }));
    const rds = postgresSettings(db);
    new DbSubnetGroup(this, 'SubnetGroup', {
      metadata: { name: db.name, namespace: infraNamespace, labels, annotations: ackAnnotations(region) },
      spec: { name: rds.identifier, description: rds.subnetGroup.description, subnetIDs: [...rds.subnetGroup.subnetIds], tags },
    });
    const password = new InfraSecret(this, 'MasterPassword', {
      name: `${db.name}-master`,
      labels,
      location: db.credentials,
      property: db.credentials.passwordProperty,
      secretKey: 'password',
    });
    // ACK reads what happens on deletion from annotations (rds-controller pkg/util/annotations.go).
    const onDelete: Record<string, string> = {
      ...(rds.finalSnapshotIdentifier
        ? { [ackFinalSnapshotAnnotations.skip]: 'false', [ackFinalSnapshotAnnotations.identifier]: rds.finalSnapshotIdentifier }
        : { [ackFinalSnapshotAnnotations.skip]: 'true' }),
      [ackFinalSnapshotAnnotations.deleteAutomatedBackups]: String(rds.deleteAutomatedBackups),
    };
    new DbInstance(this, 'Instance', {
      metadata: {
        name: db.name,
        namespace: infraNamespace,
        labels,
        annotations: ackAnnotations(region, { ...onDelete, ...(db.deletionProtection ? {} : deletionProtectionExemption(db.file, db.cluster)) }),
      },
      spec: {
        dbInstanceIdentifier: rds.identifier,
        engine: rds.engine,
        engineVersion: rds.engineVersion,
        dbInstanceClass: rds.instanceClass,
        allocatedStorage: rds.allocatedStorageGiB,
        maxAllocatedStorage: rds.maxAllocatedStorageGiB,
        storageType: rds.storageType,
        storageEncrypted: rds.storageEncrypted,
        ...(rds.kmsKeyId ? { kmsKeyId: rds.kmsKeyId } : {}),
        multiAz: rds.multiAz,
        publiclyAccessible: rds.publiclyAccessible,
        dbSubnetGroupRef: { from: { name: db.name } },
        vpcSecurityGroupIDs: [...rds.vpcSecurityGroupIds],
        port: rds.port,
        dbName: rds.dbName,
        masterUsername: rds.masterUsername,
        masterUserPassword: password.ref,
        backupRetentionPeriod: rds.backupRetentionDays,
        deletionProtection: rds.deletionProtection,
        copyTagsToSnapshot: rds.copyTagsToSnapshot,
        autoMinorVersionUpgrade: rds.autoMinorVersionUpgrade,
        enableCloudwatchLogsExports: [...rds.cloudwatchLogsExports],
        tags,
      },
    });
    new AckEndpointExport(this, 'Endpoint', {
      resource: { group: 'rds.services.k8s.aws', kind: 'DBInstance', name: db.name },
      path: '.status.endpoint.address',
      users: context.users,
      configMapName: connectionOf(db, context.cluster).configMapName,
      key: connectionOf(db, context.cluster).hostEnv!,
      labels,
    });
  }
}
