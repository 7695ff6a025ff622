import type { RenderedCheck } from '../rendered-check.js';
import { allContainers, parseImage, podTemplates } from '../pod-templates.js';
import { containerLabel, findingFor } from './support.js';

/**
 * No image is `:latest` or untagged (which means latest): a render must mean one image, and a
 * rollback must bring back the previous one.
 */

const ID = 'no-latest-tag';

export const noLatestTag: RenderedCheck = {
  id: ID,
  description: 'no container image uses the latest tag or no tag at all',
  run: ({ docs }) =>
    docs.flatMap((doc) => {
      const problems: string[] = [];
      for (const template of podTemplates(doc.object)) {
        for (const { container, type } of allContainers(template.spec)) {
          const image = typeof container.image === 'string' ? container.image : '';
          const { tag, digest } = parseImage(image);
          if (!image) problems.push(`${containerLabel(container.name, type)} has no image`);
          else if (tag === 'latest') problems.push(`${containerLabel(container.name, type)} uses ${image}`);
          else if (!tag && !digest) problems.push(`${containerLabel(container.name, type)} uses ${image} without a tag (that is latest)`);
        }
      }
      return problems.length ? [findingFor(ID, doc, problems.join('; '), 'set image.tag (a version) or image.digest in apps/<service>/service.yaml or <cluster>.yaml; `gitops deploy` sets both')] : [];
    }),
};
