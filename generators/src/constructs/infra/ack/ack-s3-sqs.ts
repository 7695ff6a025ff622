import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';

/*
 * HAND-WRITTEN, NOT GENERATED. The ACK S3 and SQS controllers' CRDs cannot be fetched here (the
 * Go module proxy refuses github.com/aws-controllers-k8s/{s3,sqs}-controller; see
 * `validate/crd-sources.ts`), so `cdk8s import` cannot generate these two classes. They type
 * only the fields this repository renders, spelled as in the controllers' CRDs
 * (s3.services.k8s.aws/v1alpha1 Bucket, sqs.services.k8s.aws/v1alpha1 Queue). Replace them with
 * generated imports (add the kinds to `tools/import-crds.ts`) once the CRDs can be pinned.
 */

/** A key-value tag. */
export interface AckTag {
  readonly key: string;
  readonly value: string;
}

/** `spec` of an ACK S3 Bucket: the fields rendered here. */
export interface AckBucketSpec {
  readonly name: string;
  readonly versioning: { readonly status: 'Enabled' | 'Suspended' };
  readonly encryption: {
    readonly rules: readonly {
      readonly applyServerSideEncryptionByDefault: { readonly sseAlgorithm: 'AES256' | 'aws:kms'; readonly kmsMasterKeyID?: string };
      readonly bucketKeyEnabled?: boolean;
    }[];
  };
  readonly publicAccessBlock: { readonly blockPublicACLs: boolean; readonly blockPublicPolicy: boolean; readonly ignorePublicACLs: boolean; readonly restrictPublicBuckets: boolean };
  readonly ownershipControls: { readonly rules: readonly { readonly objectOwnership: 'BucketOwnerEnforced' }[] };
  readonly lifecycle: {
    readonly rules: readonly {
      readonly id: string;
      readonly status: 'Enabled' | 'Disabled';
      readonly filter: { readonly prefix: string };
      readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
      readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
      readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
    }[];
  };
  readonly replication?: {
    readonly role: string;
    readonly rules: readonly {
      readonly id: string;
      readonly status: 'Enabled';
      readonly priority: number;
      readonly filter: { readonly prefix: string };
      readonly deleteMarkerReplication: { readonly status: 'Enabled' | 'Disabled' };
      readonly destination: { readonly bucket: string; readonly storageClass: string; readonly encryptionConfiguration?: { readonly replicaKMSKeyID: string } };
      readonly sourceSelectionCriteria?: { readonly sseKMSEncryptedObjects: { readonly status: 'Enabled' } };
    }[];
  };
  readonly tagging: { readonly tagSet: readonly AckTag[] };
}

/** s3.services.k8s.aws/v1alpha1 Bucket (hand-typed, see the file comment). */
export class AckS3Bucket extends ApiObject {
  static readonly GVK = { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket' } as const;
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: AckBucketSpec }) {
    super(scope, id, { ...AckS3Bucket.GVK, metadata: props.metadata, spec: props.spec });
  }
}

/** `spec` of an ACK SQS Queue: every attribute is a string, as in the SQS API. */
export interface AckQueueSpec {
  readonly queueName: string;
  readonly visibilityTimeout: string;
  readonly messageRetentionPeriod: string;
  readonly receiveMessageWaitTimeSeconds: string;
  readonly sqsManagedSSEEnabled?: 'true' | 'false';
  readonly kmsMasterKeyID?: string;
  readonly kmsDataKeyReusePeriodSeconds?: string;
  /** JSON: `{"deadLetterTargetArn": "...", "maxReceiveCount": n}`. */
  readonly redrivePolicy?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** sqs.services.k8s.aws/v1alpha1 Queue (hand-typed, see the file comment). */
export class AckSqsQueue extends ApiObject {
  static readonly GVK = { apiVersion: 'sqs.services.k8s.aws/v1alpha1', kind: 'Queue' } as const;
  constructor(scope: Construct, id: string, props: { readonly metadata: ApiObjectMetadata; readonly spec: AckQueueSpec }) {
    super(scope, id, { ...AckSqsQueue.GVK, metadata: props.metadata, spec: props.spec });
  }
}
