import type { PostgresResource } from '../../inputs/infra.js';

/**
 * The RDS PostgreSQL settings both providers render, provider-neutral and in one place: the ACK
 * (`ack/ack-postgres.ts`) and Crossplane (`crossplane/crossplane-postgres.ts`) constructs only
 * spell them in their CRD's field names, so a setting cannot differ between the providers.
 * `generators/test/constructs/infra/postgres-settings.test.ts` checks that every setting lands in
 * its field in both renderings.
 */
export interface PostgresSettings {
  /** The DB instance identifier in AWS. */
  readonly identifier: string;
  readonly engine: 'postgres';
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Upper bound of storage autoscaling. */
  readonly maxAllocatedStorageGiB: number;
  readonly storageType: 'gp3';
  /** Always encrypted at rest; with the input's KMS key when it names one, else the AWS-managed key. */
  readonly storageEncrypted: true;
  readonly kmsKeyId?: string;
  readonly multiAz: boolean;
  /** Never reachable from outside the VPC. */
  readonly publiclyAccessible: false;
  readonly vpcSecurityGroupIds: readonly string[];
  readonly port: number;
  readonly dbName: string;
  readonly masterUsername: string;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly copyTagsToSnapshot: true;
  readonly autoMinorVersionUpgrade: true;
  readonly cloudwatchLogsExports: readonly ['postgresql'];
  /** A final snapshot when the instance is deleted (its identifier), or none. */
  readonly finalSnapshotIdentifier?: string;
  /**
   * Automated backups outlive a deleted instance. Spelled out in both providers: RDS
   * DeleteDBInstance removes them unless told otherwise ("The default is to remove automated
   * backups immediately after the DB instance is deleted", RDS API reference, DeleteAutomatedBackups),
   * ACK's rds-controller passes its `delete-automated-backups` annotation on only when it is set
   * (pkg/util/annotations.go @ v1.10.1), and provider-aws says "Default is true" (rds Instance CRD
   * @ v1.17.0).
   */
  readonly deleteAutomatedBackups: false;
  /** The DB subnet group: its description and subnets. */
  readonly subnetGroup: { readonly description: string; readonly subnetIds: readonly string[] };
}

/** The settings of one database input. */
export function postgresSettings(db: PostgresResource): PostgresSettings {
  return {
    identifier: db.awsName,
    engine: 'postgres',
    engineVersion: db.engineVersion,
    instanceClass: db.instanceClass,
    allocatedStorageGiB: db.allocatedStorageGiB,
    maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
    storageType: 'gp3',
    storageEncrypted: true,
    ...(db.kmsKeyArn ? { kmsKeyId: db.kmsKeyArn } : {}),
    multiAz: db.multiAZ,
    publiclyAccessible: false,
    vpcSecurityGroupIds: [...db.network.securityGroupIds],
    port: db.port,
    dbName: db.databaseName,
    masterUsername: db.masterUsername,
    backupRetentionDays: db.backupRetentionDays,
    deletionProtection: db.deletionProtection,
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
    cloudwatchLogsExports: ['postgresql'],
    ...(db.finalSnapshot ? { finalSnapshotIdentifier: `${db.awsName}-final` } : {}),
    deleteAutomatedBackups: false,
    subnetGroup: { description: `${db.description} (${db.cluster})`, subnetIds: [...db.network.subnetIds] },
  };
}
