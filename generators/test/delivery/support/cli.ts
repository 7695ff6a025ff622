import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { listFiles } from '../../../src/render/tree-io.js';

export { gitops } from '../../support/cli.js';

/** Every file under the root with its content: compare two of these to prove nothing changed. */
export async function allFiles(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const file of await listFiles(root)) {
    if (file.startsWith('.git/')) continue;
    files.set(file, await readFile(path.join(root, file), 'utf8'));
  }
  return files;
}

/** The container images of a rendered Deployment, or of the Rollout of a canary service. */
export async function renderedImages(root: string, cluster: string, service: string): Promise<string[]> {
  const folder = path.join(root, 'clusters', cluster, 'rendered', 'apps', service);
  const text = await readFile(path.join(folder, `deployment.${service}.yaml`), 'utf8').catch(() => readFile(path.join(folder, `rollout.${service}.yaml`), 'utf8'));
  const deployment = parseAllDocuments(text)[0]!.toJS() as { spec: { template: { spec: { containers: { image: string }[] } } } };
  return deployment.spec.template.spec.containers.map((container) => container.image);
}

export const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
export const DIGEST_A = `sha256:${'a1'.repeat(32)}`;
export const DIGEST_B = `sha256:${'b2'.repeat(32)}`;
