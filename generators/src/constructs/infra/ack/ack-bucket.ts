import { Construct } from 'constructs';
import type { BucketResource } from '../../../inputs/infra.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { ackAnnotations } from '../protection.js';
import { AckS3Bucket } from './ack-s3-sqs.js';
import { bucketLifecycleRules } from '../bucket-lifecycle.js';

/**
 * An S3 bucket through ACK: versioned, encrypted (SSE-KMS with a bucket key when a key is given,
 * SSE-S3 otherwise), every public access blocked, ACLs disabled, lifecycle to cheaper tiers, and
 * cross-region replication when the input has it (required in production).
 */
export class AckBucket extends Construct {
  constructor(scope: Construct, id: string, bucket: BucketResource, context: InfraContext) {
    super(scope, id);
    const lifecycle = bucketLifecycleRules(bucket);
    new AckS3Bucket(this, 'Bucket', {
      metadata: { name: bucket.name, namespace: infraNamespace, labels: infraLabels(bucket.name), annotations: ackAnnotations(context.cluster.region) },
      spec: {
        name: bucket.awsName,
        versioning: { status: 'Enabled' },
        encryption: {
          rules: [
            bucket.kmsKeyArn
              ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyID: bucket.kmsKeyArn }, bucketKeyEnabled: true }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
          ],
        },
        publicAccessBlock: { blockPublicACLs: true, blockPublicPolicy: true, ignorePublicACLs: true, restrictPublicBuckets: true },
        ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
        lifecycle: {
          rules: lifecycle.map((rule) => ({
            id: rule.id,
            status: 'Enabled' as const,
            filter: { prefix: '' },
            ...(rule.transitions ? { transitions: rule.transitions } : {}),
            ...(rule.noncurrentDays ? { noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentDays } } : {}),
            ...(rule.abortAfterDays ? { abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortAfterDays } } : {}),
          })),
        },
        ...(bucket.replication
          ? {
              replication: {
                role: bucket.replication.roleArn,
                rules: [
                  {
                    id: 'cross-region',
                    status: 'Enabled' as const,
                    priority: 1,
                    filter: { prefix: '' },
                    deleteMarkerReplication: { status: 'Enabled' as const },
                    destination: {
                      bucket: bucket.replication.destinationBucketArn,
                      storageClass: bucket.replication.storageClass,
                      ...(bucket.replication.replicaKmsKeyArn ? { encryptionConfiguration: { replicaKMSKeyID: bucket.replication.replicaKmsKeyArn } } : {}),
                    },
                    ...(bucket.kmsKeyArn ? { sourceSelectionCriteria: { sseKMSEncryptedObjects: { status: 'Enabled' as const } } } : {}),
                  },
                ],
              },
            }
          : {}),
        tagging: { tagSet: Object.entries(awsTags(bucket.name, bucket.cluster)).map(([key, value]) => ({ key, value })) },
      },
    });
  }
}
