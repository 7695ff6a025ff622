import { Construct } from 'constructs';
import { Instance, InstanceSpecDeletionPolicy, SubnetGroup, SubnetGroupSpecDeletionPolicy } from '../../../../imports/rds.aws.upbound.io.js';
import type { PostgresResource } from '../../../inputs/infra.js';
import { awsTags, infraLabels, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { deletionProtectionExemption } from '../protection.js';
import { CrossplaneConnectionStore } from './crossplane-connection-store.js';
import { connectionSecretRef, managedMetadata, providerConfigRef } from './managed.js';

/**
 * PostgreSQL on RDS through Crossplane (provider-aws): an rds SubnetGroup and an Instance with
 * the same durable defaults as the ACK implementation; the connection secret (address, port,
 * user) is written to the infra namespace and served to the services that use the database.
 */
export class CrossplanePostgres extends Construct {
  constructor(scope: Construct, id: string, db: PostgresResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(db.name);
    const tags = awsTags(db.name, db.cluster);
    new SubnetGroup(this, 'SubnetGroup', {
      metadata: managedMetadata(db.name, labels, db.awsName),
      spec: {
        deletionPolicy: SubnetGroupSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, description: `${db.description} (${db.cluster})`, subnetIds: [...db.network.subnetIds], tags },
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
          identifier: db.awsName,
          engine: 'postgres',
          engineVersion: db.engineVersion,
          instanceClass: db.instanceClass,
          allocatedStorage: db.allocatedStorageGiB,
          maxAllocatedStorage: db.maxAllocatedStorageGiB,
          storageType: 'gp3',
          storageEncrypted: true,
          ...(db.kmsKeyArn ? { kmsKeyId: db.kmsKeyArn } : {}),
          multiAz: db.multiAZ,
          publiclyAccessible: false,
          dbSubnetGroupNameRef: { name: db.name },
          vpcSecurityGroupIds: [...db.network.securityGroupIds],
          port: db.port,
          dbName: db.databaseName,
          username: db.masterUsername,
          passwordSecretRef: password.ref,
          backupRetentionPeriod: db.backupRetentionDays,
          deleteAutomatedBackups: false,
          deletionProtection: db.deletionProtection,
          skipFinalSnapshot: !db.finalSnapshot,
          ...(db.finalSnapshot ? { finalSnapshotIdentifier: `${db.awsName}-final` } : {}),
          copyTagsToSnapshot: true,
          autoMinorVersionUpgrade: true,
          enabledCloudwatchLogsExports: ['postgresql'],
          tags,
        },
      },
    });
    new CrossplaneConnectionStore(this, 'ConnectionStore', { name: db.name, connectionSecret: connectionSecretRef(db.name).name, users: context.users, labels });
  }
}
