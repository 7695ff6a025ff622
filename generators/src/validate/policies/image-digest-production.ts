import type { RenderedCheck } from '../rendered-check.js';
import { isProduction } from '../../inputs/production.js';
import { allContainers, parseImage, podTemplates } from '../pod-templates.js';
import { containerLabel, findingFor } from './support.js';

/**
 * In production clusters (`production: true` in cluster.yaml, or any EKS cluster by default) every
 * image is pinned by digest: a tag can be moved, a digest cannot, so what was reviewed is what runs.
 */

const ID = 'image-digest-production';
const digestPattern = /^sha256:[a-f0-9]{64}$/;

export const imageDigestProduction: RenderedCheck = {
  id: ID,
  description: 'in production clusters every image is pinned by sha256 digest',
  run: ({ cluster, docs }) => {
    if (!isProduction(cluster)) return [];
    return docs.flatMap((doc) => {
      const problems: string[] = [];
      for (const template of podTemplates(doc.object)) {
        for (const { container, type } of allContainers(template.spec)) {
          const image = typeof container.image === 'string' ? container.image : '';
          if (!digestPattern.test(parseImage(image).digest ?? '')) problems.push(`${containerLabel(container.name, type)} uses ${image || '(no image)'} without @sha256 digest`);
        }
      }
      return problems.length
        ? [findingFor(ID, doc, `${cluster.name} is a production cluster: ${problems.join('; ')}`, `set image.digest in apps/<service>/${cluster.name}.yaml (\`gitops promote\` copies staging's digest)`)]
        : [];
    });
  },
};
