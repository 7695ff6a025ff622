import { Construct } from 'constructs';
import { Queue, QueueRedrivePolicy, QueueRedrivePolicySpecDeletionPolicy, QueueSpecDeletionPolicy } from '../../../../imports/sqs.aws.upbound.io.js';
import type { QueueResource } from '../../../inputs/infra.js';
import { redrivePolicy } from '../queue-redrive.js';
import { awsTags, infraLabels, type InfraContext } from '../infra-context.js';
import { managedMetadata, providerConfigRef } from './managed.js';

/**
 * An SQS queue and its dead-letter queue through Crossplane, both server-side encrypted
 * (SQS-managed keys, or the given KMS key), and a QueueRedrivePolicy that sends a message to the
 * dead-letter queue after `maxReceiveCount` receives. The only queue implementation that renders
 * today: the ACK one refuses (`ack/ack-queue.ts`).
 */
export class CrossplaneQueue extends Construct {
  constructor(scope: Construct, id: string, queue: QueueResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(queue.name);
    const encryption = queue.kmsKeyArn ? { kmsMasterKeyId: queue.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 } : { sqsManagedSseEnabled: true };
    const tags = awsTags(queue.name, queue.cluster);
    new Queue(this, 'DeadLetter', {
      metadata: managedMetadata(`${queue.name}-dlq`, labels),
      spec: {
        deletionPolicy: QueueSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: {
          region,
          name: queue.deadLetter.awsName,
          visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
          messageRetentionSeconds: queue.deadLetter.messageRetentionSeconds,
          receiveWaitTimeSeconds: queue.receiveWaitTimeSeconds,
          ...encryption,
          tags,
        },
      },
    });
    new Queue(this, 'Queue', {
      metadata: managedMetadata(queue.name, labels),
      spec: {
        deletionPolicy: QueueSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: {
          region,
          name: queue.awsName,
          visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
          messageRetentionSeconds: queue.messageRetentionSeconds,
          receiveWaitTimeSeconds: queue.receiveWaitTimeSeconds,
          ...encryption,
          tags,
        },
      },
    });
    new QueueRedrivePolicy(this, 'Redrive', {
      metadata: managedMetadata(`${queue.name}-redrive`, labels),
      spec: {
        deletionPolicy: QueueRedrivePolicySpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, queueUrlRef: { name: queue.name }, redrivePolicy: redrivePolicy(queue) },
      },
    });
  }
}
