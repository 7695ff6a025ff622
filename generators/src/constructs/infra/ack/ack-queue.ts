import { Construct } from 'constructs';
import { InputError } from '../../../errors.js';
import { ackQueueUnvalidated, type QueueResource } from '../../../inputs/infra.js';
import type { InfraContext } from '../infra-context.js';

/**
 * An SQS queue through ACK: REFUSED. The ACK SQS controller's CRD cannot be fetched here (the Go
 * module proxy refuses github.com/aws-controllers-k8s/sqs-controller; see `tools/versions.ts`),
 * so no generated class exists and neither kubeconform nor kubectl-validate could check an ACK
 * Queue. Rather than render unvalidated objects, this throws the same input error that
 * `inputs/infra.ts` reports for a queue whose provider is ack: use provider crossplane
 * (`crossplane/crossplane-queue.ts`). When a sqs-controller version is served, pin it, import
 * the Queue kind (`tools/import-crds.ts`) and render it here.
 */
export class AckQueue extends Construct {
  constructor(scope: Construct, id: string, queue: QueueResource, context: InfraContext) {
    super(scope, id);
    throw new InputError([{ file: queue.file, path: 'provider', message: ackQueueUnvalidated }]);
  }
}
