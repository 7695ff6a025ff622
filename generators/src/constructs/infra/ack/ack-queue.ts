import { Construct } from 'constructs';
import type { QueueResource } from '../../../inputs/infra.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { ackAnnotations } from '../protection.js';
import { AckSqsQueue, type AckQueueSpec } from './ack-s3-sqs.js';

/**
 * An SQS queue and its dead-letter queue through ACK, both server-side encrypted (SQS-managed
 * keys, or the given KMS key); the queue's redrive policy sends a message to the dead-letter
 * queue after `maxReceiveCount` receives.
 */
export class AckQueue extends Construct {
  constructor(scope: Construct, id: string, queue: QueueResource, context: InfraContext) {
    super(scope, id);
    const annotations = ackAnnotations(context.cluster.region);
    const encryption: Pick<AckQueueSpec, 'sqsManagedSSEEnabled' | 'kmsMasterKeyID' | 'kmsDataKeyReusePeriodSeconds'> = queue.kmsKeyArn
      ? { kmsMasterKeyID: queue.kmsKeyArn, kmsDataKeyReusePeriodSeconds: '300' }
      : { sqsManagedSSEEnabled: 'true' };
    const tags = awsTags(queue.name, queue.cluster);
    new AckSqsQueue(this, 'DeadLetter', {
      metadata: { name: `${queue.name}-dlq`, namespace: infraNamespace, labels: infraLabels(queue.name), annotations },
      spec: {
        queueName: queue.deadLetter.awsName,
        visibilityTimeout: String(queue.visibilityTimeoutSeconds),
        messageRetentionPeriod: String(queue.deadLetter.messageRetentionSeconds),
        receiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
        ...encryption,
        tags,
      },
    });
    new AckSqsQueue(this, 'Queue', {
      metadata: { name: queue.name, namespace: infraNamespace, labels: infraLabels(queue.name), annotations },
      spec: {
        queueName: queue.awsName,
        visibilityTimeout: String(queue.visibilityTimeoutSeconds),
        messageRetentionPeriod: String(queue.messageRetentionSeconds),
        receiveMessageWaitTimeSeconds: String(queue.receiveWaitTimeSeconds),
        ...encryption,
        redrivePolicy: redrivePolicy(queue),
        tags,
      },
    });
  }
}

/** The redrive policy JSON both providers set on the queue. */
export function redrivePolicy(queue: QueueResource): string {
  return JSON.stringify({ deadLetterTargetArn: queue.deadLetter.arn, maxReceiveCount: queue.deadLetter.maxReceiveCount });
}
