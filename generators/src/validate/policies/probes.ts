import type { RenderedCheck } from '../rendered-check.js';
import { LONG_RUNNING_KINDS, podTemplates } from '../pod-templates.js';
import { containerLabel, findingFor } from './support.js';

/**
 * Every container of a long-running workload has a readiness and a liveness probe: traffic only
 * reaches ready pods, and hung ones are restarted. Jobs and init containers are not checked.
 */

const ID = 'probes';

export const probes: RenderedCheck = {
  id: ID,
  description: 'every container of a long-running workload has readiness and liveness probes',
  run: ({ docs }) =>
    docs.flatMap((doc) => {
      if (!LONG_RUNNING_KINDS.has(doc.object.kind)) return [];
      const problems: string[] = [];
      for (const template of podTemplates(doc.object)) {
        for (const container of template.spec.containers ?? []) {
          const missing = (['readinessProbe', 'livenessProbe'] as const).filter((probe) => !container[probe]);
          if (missing.length) problems.push(`${containerLabel(container.name, 'container')} has no ${missing.join(' or ')}`);
        }
      }
      return problems.length ? [findingFor(ID, doc, problems.join('; '), 'declare probes.readiness and probes.liveness in apps/<service>/service.yaml')] : [];
    }),
};
