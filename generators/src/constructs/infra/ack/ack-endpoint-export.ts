import { Construct } from 'constructs';
import { FieldExport, FieldExportSpecToKind } from '../../../../imports/services.k8s.aws.js';
import { infraNamespace } from '../infra-context.js';

export interface AckEndpointExportProps {
  /** The ACK resource whose status holds the endpoint. */
  readonly resource: { readonly group: string; readonly kind: string; readonly name: string };
  /** Status field to copy, e.g. `.status.endpoint.address`. */
  readonly path: string;
  /** Services that get the value: each has a ConfigMap `configMapName` in its namespace. */
  readonly users: readonly string[];
  readonly configMapName: string;
  /** Key (environment variable) written into each ConfigMap. */
  readonly key: string;
  readonly labels: Record<string, string>;
}

/**
 * One ACK FieldExport per service that uses a resource: the controller copies the endpoint from
 * the resource's status into the ConfigMap the service's pods read (rendered with the service;
 * FieldExport needs the target to exist). Lives beside the resource, in the infra namespace.
 */
export class AckEndpointExport extends Construct {
  constructor(scope: Construct, id: string, props: AckEndpointExportProps) {
    super(scope, id);
    for (const user of props.users) {
      new FieldExport(this, user, {
        metadata: { name: `${props.resource.name}-to-${user}`, namespace: infraNamespace, labels: props.labels },
        spec: {
          from: { path: props.path, resource: { group: props.resource.group, kind: props.resource.kind, name: props.resource.name } },
          to: { kind: FieldExportSpecToKind.CONFIGMAP, name: props.configMapName, namespace: user, key: props.key },
        },
      });
    }
  }
}
