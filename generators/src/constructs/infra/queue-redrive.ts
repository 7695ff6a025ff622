import type { QueueResource } from '../../inputs/infra.js';

/** The redrive policy JSON set on the queue: to the dead-letter queue after `maxReceiveCount` receives. */
export function redrivePolicy(queue: QueueResource): string {
  return JSON.stringify({ deadLetterTargetArn: queue.deadLetter.arn, maxReceiveCount: queue.deadLetter.maxReceiveCount });
}
