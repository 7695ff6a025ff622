import type { RenderedCheck } from '../rendered-check.js';
import { cpuMillis, memoryBytes } from '../../inputs/quantities.js';
import { allContainers, podTemplates } from '../pod-templates.js';
import { containerLabel, findingFor } from './support.js';

/**
 * Every container (init containers included) declares CPU and memory requests and limits, and no
 * request exceeds its limit: the scheduler can place pods, and one pod cannot starve a node.
 */

const ID = 'resource-requests-limits';

function quantity(resource: 'cpu' | 'memory', value: unknown): number {
  if (typeof value === 'number') return resource === 'cpu' ? value * 1000 : value;
  if (typeof value !== 'string') return Number.NaN;
  if (resource === 'cpu') return cpuMillis(value);
  const bytes = memoryBytes(value);
  if (!Number.isNaN(bytes)) return bytes;
  const decimal = /^([0-9.]+)(k|M|G|T)?$/.exec(value);
  const scale: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return decimal ? Number(decimal[1]) * scale[decimal[2] ?? '']! : Number.NaN;
}

export const resourceRequestsLimits: RenderedCheck = {
  id: ID,
  description: 'every container sets cpu and memory requests and limits, requests no larger than limits',
  run: ({ docs }) =>
    docs.flatMap((doc) => {
      const problems: string[] = [];
      for (const template of podTemplates(doc.object)) {
        for (const { container, type } of allContainers(template.spec)) {
          if (type === 'ephemeralContainer') continue;
          const where = containerLabel(container.name, type);
          const requests = container.resources?.requests ?? {};
          const limits = container.resources?.limits ?? {};
          const missing = [
            ...(['cpu', 'memory'] as const).filter((name) => requests[name] === undefined).map((name) => `requests.${name}`),
            ...(['cpu', 'memory'] as const).filter((name) => limits[name] === undefined).map((name) => `limits.${name}`),
          ];
          if (missing.length) problems.push(`${where} has no ${missing.join(', ')}`);
          for (const name of ['cpu', 'memory'] as const) {
            const request = quantity(name, requests[name]);
            const limit = quantity(name, limits[name]);
            if (!Number.isNaN(request) && !Number.isNaN(limit) && request > limit) problems.push(`${where}: requests.${name} ${String(requests[name])} exceeds limits.${name} ${String(limits[name])}`);
          }
        }
      }
      return problems.length
        ? [findingFor(ID, doc, problems.join('; '), 'set resources.requests and resources.limits (cpu and memory) in apps/<service>/service.yaml, requests no larger than limits')]
        : [];
    }),
};
