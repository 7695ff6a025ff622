import { Construct } from 'constructs';
import { Instance, InstanceSpecDeletionPolicy, SubnetGroup, SubnetGroupSpecDeletionPolicy } from '../../../../imports/rds.aws.upbound.io.js';
import type { PostgresResource } from '../../../inputs/infra.js';
import { awsTags, infraLabels, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { postgresSettings } from '../postgres-settings.js';
import { deletionProtectionExemption } from '../protection.js';
import { CrossplaneConnectionStore } from './crossplane-connection-store.js';
import { connectionSecretRef, managedMetadata, providerConfigRef } from './managed.js';

/**
 * PostgreSQL on RDS through Crossplane (provider-aws): an rds SubnetGroup and an Instance with
 * the provider-neutral settings of `postgres-settings.ts` (the ones ACK renders too); the
 * connection secret (address, port, user) is written to the infra namespace and served to the
 * services that use the database.
 */
export class CrossplanePostgres extends Construct {
  constructor(scope: Construct, id: string, db: PostgresResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(db.name);
    const tags = awsTags(db.name, db.cluster);
    const rds = postgresSettings(db);
    new SubnetGroup(this, 'SubnetGroup', {
      metadata: managedMetadata(db.name, labels, rds.identifier),
      spec: {
        deletionPolicy: SubnetGroupSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, description: rds.subnetGroup.description, subnetIds: [...rds.subnetGroup.subnetIds], tags },
      },
    });
    const password = new InfraSecret(this, 'MasterPassword', {
      name: `${db.name}-master`,
      labels,
      location: db.credentials,
      property: db.credentials.passwordProperty,
      secretKey: 'password',
    });
    const metadata = managedMetadata(db.name, labels);
    new Instance(this, 'Instance', {
      metadata: db.deletionProtection ? metadata : { ...metadata, annotations: { ...metadata.annotations, ...deletionProtectionExemption(db.file, db.cluster) } },
      spec: {
        deletionPolicy: InstanceSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        writeConnectionSecretToRef: connectionSecretRef(db.name),
        forProvider: {
          region,
          identifier: rds.identifier,
          engine: rds.engine,
          engineVersion: rds.engineVersion,
          instanceClass: rds.instanceClass,
          allocatedStorage: rds.allocatedStorageGiB,
          maxAllocatedStorage: rds.maxAllocatedStorageGiB,
          storageType: rds.storageType,
          storageEncrypted: rds.storageEncrypted,
          ...(rds.kmsKeyId ? { kmsKeyId: rds.kmsKeyId } : {}),
          multiAz: rds.multiAz,
          publiclyAccessible: rds.publiclyAccessible,
          dbSubnetGroupNameRef: { name: db.name },
          vpcSecurityGroupIds: [...rds.vpcSecurityGroupIds],
          port: rds.port,
          dbName: rds.dbName,
          username: rds.masterUsername,
          passwordSecretRef: password.ref,
          backupRetentionPeriod: rds.backupRetentionDays,
          deleteAutomatedBackups: rds.deleteAutomatedBackups,
          deletionProtection: rds.deletionProtection,
          skipFinalSnapshot: rds.finalSnapshotIdentifier === undefined,
          ...(rds.finalSnapshotIdentifier ? { finalSnapshotIdentifier: rds.finalSnapshotIdentifier } : {}),
          copyTagsToSnapshot: rds.copyTagsToSnapshot,
          autoMinorVersionUpgrade: rds.autoMinorVersionUpgrade,
          enabledCloudwatchLogsExports: [...rds.cloudwatchLogsExports],
          tags,
        },
      },
    });
    new CrossplaneConnectionStore(this, 'ConnectionStore', { name: db.name, connectionSecret: connectionSecretRef(db.name).name, users: context.users, labels });
  }
}
