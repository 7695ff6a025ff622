import type { InputIssue } from '../errors.js';
import { addonCatalogueSchema, type AddonCatalogue } from './schemas/addons.js';
import { readYamlFile } from './yaml-file.js';
import { zodIssues } from './zod-issues.js';

/** Repository-relative path of the add-on catalogue. */
export const addonCatalogueFile = 'clusters/addons.yaml';

/**
 * Reads `clusters/addons.yaml`, the pinned versions of Argo CD and the add-on charts. A missing
 * or invalid file is an input issue: no cluster can be given to Argo CD without it.
 */
export async function readAddonCatalogue(root: string): Promise<{ catalogue?: AddonCatalogue; issues: InputIssue[] }> {
  const read = await readYamlFile(root, addonCatalogueFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!read) {
    return { issues: [{ file: addonCatalogueFile, path: '', message: 'missing: it pins Argo CD and the add-on charts every cluster installs (copy it from the example repository)' }] };
  }
  if (read.issues.length) return { issues: read.issues };
  const parsed = addonCatalogueSchema.safeParse(read.file.data ?? {});
  if (!parsed.success) return { issues: zodIssues(parsed.error, [read.file], addonCatalogueSchema) };
  return { catalogue: parsed.data, issues: [] };
}
