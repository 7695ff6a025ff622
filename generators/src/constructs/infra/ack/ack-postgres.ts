import { Construct } from 'constructs';
import { DbInstance, DbSubnetGroup } from '../../../../imports/rds.services.k8s.aws.js';
import type { PostgresResource } from '../../../inputs/infra.js';
import { connectionOf } from '../connection.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { ackAnnotations, deletionProtectionExemption } from '../protection.js';
import { AckEndpointExport } from './ack-endpoint-export.js';

/** ACK RDS annotations that make a deleted instance leave a final snapshot (the controller skips it by default). */
export const ackFinalSnapshotAnnotations = {
  skip: 'rds.services.k8s.aws/skip-final-snapshot',
  identifier: 'rds.services.k8s.aws/final-db-snapshot-identifier',
  deleteAutomatedBackups: 'rds.services.k8s.aws/delete-automated-backups',
} as const;

/**
 * PostgreSQL on RDS through ACK: a DBSubnetGroup and a DBInstance (encrypted, private, Multi-AZ
 * and deletion-protected unless the input says otherwise outside production, final snapshot),
 * the master password from a secret store, and the endpoint exported to every service that uses it.
 */
export class AckPostgres extends Construct {
  constructor(scope: Construct, id: string, db: PostgresResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(db.name);
    const tags = Object.entries(awsTags(db.name, db.cluster)).map(([key, value]) => ({ key, value }));
    new DbSubnetGroup(this, 'SubnetGroup', {
      metadata: { name: db.name, namespace: infraNamespace, labels, annotations: ackAnnotations(region) },
      spec: { name: db.awsName, description: `${db.description} (${db.cluster})`, subnetIDs: [...db.network.subnetIds], tags },
    });
    const password = new InfraSecret(this, 'MasterPassword', {
      name: `${db.name}-master`,
      labels,
      location: db.credentials,
      property: db.credentials.passwordProperty,
      secretKey: 'password',
    });
    const finalSnapshot: Record<string, string> = db.finalSnapshot
      ? {
          [ackFinalSnapshotAnnotations.skip]: 'false',
          [ackFinalSnapshotAnnotations.identifier]: `${db.awsName}-final`,
          [ackFinalSnapshotAnnotations.deleteAutomatedBackups]: 'false',
        }
      : { [ackFinalSnapshotAnnotations.skip]: 'true' };
    new DbInstance(this, 'Instance', {
      metadata: {
        name: db.name,
        namespace: infraNamespace,
        labels,
        annotations: ackAnnotations(region, { ...finalSnapshot, ...(db.deletionProtection ? {} : deletionProtectionExemption(db.file, db.cluster)) }),
      },
      spec: {
        dbInstanceIdentifier: db.awsName,
        engine: 'postgres',
        engineVersion: db.engineVersion,
        dbInstanceClass: db.instanceClass,
        allocatedStorage: db.allocatedStorageGiB,
        maxAllocatedStorage: db.maxAllocatedStorageGiB,
        storageType: 'gp3',
        storageEncrypted: true,
        ...(db.kmsKeyArn ? { kmsKeyId: db.kmsKeyArn } : {}),
        multiAz: db.multiAZ,
        publiclyAccessible: false,
        dbSubnetGroupRef: { from: { name: db.name } },
        vpcSecurityGroupIDs: [...db.network.securityGroupIds],
        port: db.port,
        dbName: db.databaseName,
        masterUsername: db.masterUsername,
        masterUserPassword: password.ref,
        backupRetentionPeriod: db.backupRetentionDays,
        deletionProtection: db.deletionProtection,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        enableCloudwatchLogsExports: ['postgresql'],
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
