import type { BucketResource } from '../../inputs/infra.js';

/** One lifecycle rule, provider-neutral. */
export interface LifecycleRule {
  readonly id: string;
  readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
  readonly noncurrentDays?: number;
  readonly abortAfterDays?: number;
}

/** The lifecycle both providers render: tiers for current objects, expiry of old versions, abandoned uploads. */
export function bucketLifecycleRules(bucket: BucketResource): LifecycleRule[] {
  const { lifecycle } = bucket;
  return [
    {
      id: 'tiers',
      transitions: [
        { days: lifecycle.infrequentAccessAfterDays, storageClass: 'STANDARD_IA' },
        ...(lifecycle.glacierAfterDays !== undefined ? [{ days: lifecycle.glacierAfterDays, storageClass: 'GLACIER_IR' }] : []),
      ],
    },
    { id: 'noncurrent-versions', noncurrentDays: lifecycle.noncurrentVersionExpirationDays },
    { id: 'incomplete-uploads', abortAfterDays: lifecycle.abortIncompleteUploadsAfterDays },
  ];
}

/** The cross-region replication rule both providers render (same AWS API shape in both CRDs). */
export function crossRegionReplicationRule(bucket: BucketResource, replication: NonNullable<BucketResource['replication']>) {
  return {
    id: 'cross-region',
    status: 'Enabled',
    priority: 1,
    filter: { prefix: '' },
    deleteMarkerReplication: { status: 'Enabled' },
    destination: {
      bucket: replication.destinationBucketArn,
      storageClass: replication.storageClass,
      ...(replication.replicaKmsKeyArn ? { encryptionConfiguration: { replicaKmsKeyId: replication.replicaKmsKeyArn } } : {}),
    },
    ...(bucket.kmsKeyArn ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
  };
}
