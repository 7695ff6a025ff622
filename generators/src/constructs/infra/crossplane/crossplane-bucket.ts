import { Construct } from 'constructs';
import {
  Bucket,
  BucketLifecycleConfiguration,
  BucketLifecycleConfigurationSpecDeletionPolicy,
  BucketPublicAccessBlock,
  BucketPublicAccessBlockSpecDeletionPolicy,
  BucketReplicationConfiguration,
  BucketReplicationConfigurationSpecDeletionPolicy,
  BucketServerSideEncryptionConfiguration,
  BucketServerSideEncryptionConfigurationSpecDeletionPolicy,
  BucketSpecDeletionPolicy,
  BucketVersioning,
  BucketVersioningSpecDeletionPolicy,
} from '../../../../imports/s3.aws.upbound.io.js';
import type { BucketResource } from '../../../inputs/infra.js';
import { bucketLifecycleRules, crossRegionReplicationRule } from '../bucket-lifecycle.js';
import { awsTags, infraLabels, type InfraContext } from '../infra-context.js';
import { managedMetadata, providerConfigRef } from './managed.js';

/**
 * An S3 bucket through Crossplane: the Bucket (never force-destroyed) and one managed resource
 * per setting, each pointing at it: versioning, server-side encryption, public access block,
 * lifecycle tiers, and cross-region replication when the input has it (required in production).
 */
export class CrossplaneBucket extends Construct {
  constructor(scope: Construct, id: string, bucket: BucketResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(bucket.name);
    const bucketRef = { name: bucket.name };
    new Bucket(this, 'Bucket', {
      metadata: managedMetadata(bucket.name, labels, bucket.awsName),
      spec: {
        deletionPolicy: BucketSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, forceDestroy: false, tags: awsTags(bucket.name, bucket.cluster) },
      },
    });
    const versioning = new BucketVersioning(this, 'Versioning', {
      metadata: managedMetadata(`${bucket.name}-versioning`, labels),
      spec: {
        deletionPolicy: BucketVersioningSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, bucketRef, versioningConfiguration: { status: 'Enabled' } },
      },
    });
    new BucketServerSideEncryptionConfiguration(this, 'Encryption', {
      metadata: managedMetadata(`${bucket.name}-encryption`, labels),
      spec: {
        deletionPolicy: BucketServerSideEncryptionConfigurationSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: {
          region,
          bucketRef,
          rule: [
            bucket.kmsKeyArn
              ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: bucket.kmsKeyArn }, bucketKeyEnabled: true }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
          ],
        },
      },
    });
    new BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      metadata: managedMetadata(`${bucket.name}-public-access-block`, labels),
      spec: {
        deletionPolicy: BucketPublicAccessBlockSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, bucketRef, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      },
    });
    new BucketLifecycleConfiguration(this, 'Lifecycle', {
      metadata: managedMetadata(`${bucket.name}-lifecycle`, labels),
      spec: {
        deletionPolicy: BucketLifecycleConfigurationSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: {
          region,
          bucketRef,
          rule: bucketLifecycleRules(bucket).map((rule) => ({
            id: rule.id,
            status: 'Enabled',
            filter: { prefix: '' },
            ...(rule.transitions ? { transition: rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) } : {}),
            ...(rule.noncurrentDays ? { noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentDays } } : {}),
            ...(rule.abortAfterDays ? { abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortAfterDays } } : {}),
          })),
        },
      },
    });
    if (bucket.replication) {
      const replication = new BucketReplicationConfiguration(this, 'Replication', {
        metadata: managedMetadata(`${bucket.name}-replication`, labels),
        spec: {
          deletionPolicy: BucketReplicationConfigurationSpecDeletionPolicy.ORPHAN,
          providerConfigRef,
          forProvider: {
            region,
            bucketRef,
            role: bucket.replication.roleArn,
            rule: [crossRegionReplicationRule(bucket, bucket.replication)],
          },
        },
      });
      // S3 accepts a replication configuration only on a versioned bucket.
      replication.node.addDependency(versioning);
    }
  }
}
