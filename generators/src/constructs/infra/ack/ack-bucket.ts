import { Construct } from 'constructs';
import { Bucket } from '../../../../imports/s3.services.k8s.aws.js';
import type { BucketResource } from '../../../inputs/infra.js';
import { bucketLifecycleRules, crossRegionReplicationRule } from '../bucket-lifecycle.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { ackAnnotations } from '../protection.js';

/**
 * An S3 bucket through ACK, one Bucket object (the generated class of s3-controller v1.1.1's CRD,
 * the newest the Go module proxy serves here; see `tools/versions.ts`): versioned, encrypted
 * (SSE-KMS with a bucket key when a key is given, SSE-S3 otherwise), every public access
 * blocked, ACLs disabled (BucketOwnerEnforced), lifecycle to cheaper tiers with old versions
 * expired and abandoned uploads aborted, cross-region replication when the input has it
 * (required in production), and the AWS tags. v1.1.1 has every field these defaults need; the
 * region comes from the ACK region annotation (the controller sets the location constraint).
 */
export class AckBucket extends Construct {
  constructor(scope: Construct, id: string, bucket: BucketResource, context: InfraContext) {
    super(scope, id);
    new Bucket(this, 'Bucket', {
      metadata: { name: bucket.name, namespace: infraNamespace, labels: infraLabels(bucket.name), annotations: ackAnnotations(context.cluster.region) },
      spec: {
        name: bucket.awsName,
        versioning: { status: 'Enabled' },
        encryption: {
          rules: [
            bucket.kmsKeyArn
              ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: bucket.kmsKeyArn }, bucketKeyEnabled: true }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
          ],
        },
        publicAccessBlock: { blockPublicAcLs: true, blockPublicPolicy: true, ignorePublicAcLs: true, restrictPublicBuckets: true },
        ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
        lifecycle: {
          rules: bucketLifecycleRules(bucket).map((rule) => ({
            id: rule.id,
            status: 'Enabled',
            filter: { prefix: '' },
            ...(rule.transitions ? { transitions: rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) } : {}),
            ...(rule.noncurrentDays ? { noncurrentVersionExpiration: { noncurrentDays: rule.noncurrentDays } } : {}),
            ...(rule.abortAfterDays ? { abortIncompleteMultipartUpload: { daysAfterInitiation: rule.abortAfterDays } } : {}),
          })),
        },
        ...(bucket.replication
          ? {
              replication: {
                role: bucket.replication.roleArn,
                rules: [crossRegionReplicationRule(bucket, bucket.replication)],
              },
            }
          : {}),
        tagging: { tagSet: Object.entries(awsTags(bucket.name, bucket.cluster)).map(([key, value]) => ({ key, value })) },
      },
    });
  }
}
