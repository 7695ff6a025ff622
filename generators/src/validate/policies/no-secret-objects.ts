import type { RenderedCheck } from '../rendered-check.js';
import { findingFor } from './support.js';

/**
 * No `Secret` object is committed: secret values never enter Git. Services get secrets through
 * External Secrets (an `ExternalSecret` naming a key in AWS Secrets Manager or SSM).
 */

const ID = 'no-secret-objects';

export const noSecretObjects: RenderedCheck = {
  id: ID,
  description: 'no Kubernetes Secret object is committed to Git',
  run: ({ docs }) =>
    docs
      .filter((doc) => doc.object.kind === 'Secret' && doc.object.apiVersion === 'v1')
      .map((doc) =>
        findingFor(
          ID,
          doc,
          'a Secret is committed to Git: its values are readable by anyone who can read the repository',
          'move the value to AWS Secrets Manager or SSM Parameter Store and reference it from secretEnv in apps/<service>/service.yaml (rendered as an ExternalSecret); rotate the exposed value',
        ),
      ),
};
