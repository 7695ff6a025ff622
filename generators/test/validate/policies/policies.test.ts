import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Cluster } from '../../../src/inputs/clusters.js';
import { exemptionAnnotation, renderedChecks, resourceId, runChecks, type RenderedCheck, type RenderedDoc } from '../../../src/validate/checks.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The policies this folder tests (the stateful-resource and AppProject policies have their own tests). */
const POLICY_IDS = ['pod-security-restricted', 'resource-requests-limits', 'probes', 'no-latest-tag', 'image-digest-production', 'default-deny-network-policy', 'no-secret-objects'];

function policies(): RenderedCheck[] {
  return renderedChecks.filter((check) => POLICY_IDS.includes(check.id));
}

function cluster(name: string): Cluster {
  const flavor = name === 'production' ? 'eks' : 'k3s';
  return { name, flavor, file: `clusters/${name}/cluster.yaml`, paramsFile: `clusters/${name}/params.yaml`, params: {} } as unknown as Cluster;
}

/**
 * Reads a fixture: its documents, the cluster named by a `# cluster:` comment (default production),
 * and the findings it must produce, one `# expect: <Kind/namespace/name>: <message>` line each.
 */
async function fixture(folder: 'pass' | 'fail', name: string): Promise<{ cluster: Cluster; docs: RenderedDoc[]; expected: string[] }> {
  const text = await readFile(path.join(fixtures, folder, name), 'utf8');
  const clusterName = /^# cluster: (\S+)/m.exec(text)?.[1] ?? 'production';
  const file = `clusters/${clusterName}/rendered/fixtures/${name}`;
  const docs = parseAllDocuments(text).map((doc) => ({ cluster: clusterName, file, object: doc.toJS() as RenderedDoc['object'] }));
  const expected = [...text.matchAll(/^# expect: (.+)$/gm)].map((match) => match[1]!);
  return { cluster: cluster(clusterName), docs, expected };
}

const passFixtures = (await readdir(path.join(fixtures, 'pass'))).sort();
const failFixtures = (await readdir(path.join(fixtures, 'fail'))).sort();

describe('policies on the rendered tree', () => {
  it('registers every policy in renderedChecks, each with an id and a description', () => {
    expect(policies().map((check) => check.id).sort()).toEqual([...POLICY_IDS].sort());
    for (const check of policies()) expect(check.description.length).toBeGreaterThan(10);
  });

  it('has a failing fixture for every policy', () => {
    for (const id of POLICY_IDS) expect(failFixtures.some((name) => name.startsWith(`${id}.`)), id).toBe(true);
  });

  for (const name of passFixtures) {
    it(`Pass when ${name} is checked: no findings`, async () => {
      const { cluster, docs } = await fixture('pass', name);
      const result = runChecks({ cluster, docs, root: '/repo' }, policies());
      expect(result.findings).toEqual([]);
    });
  }

  for (const name of failFixtures) {
    const id = name.split('.')[0]!;
    it(`Fail when ${name} is checked: ${id} reports the defect the fixture holds, with a fix, and nothing else does`, async () => {
      const { cluster, docs, expected } = await fixture('fail', name);
      expect(expected.length, `${name} has no "# expect:" line`).toBeGreaterThan(0);
      const result = runChecks({ cluster, docs, root: '/repo' }, policies());
      expect(result.findings.map((finding) => `${finding.resource}: ${finding.message}`)).toEqual(expected);
      for (const finding of result.findings) {
        expect(finding.check).toBe(id);
        expect(finding.file).toBe(docs[0]!.file);
        expect(docs.map(resourceId)).toContain(finding.resource);
        expect(finding.fix.length).toBeGreaterThan(10);
      }
    });

    it(`lists the exemption and drops the finding when ${name} carries exempt-${id} with a reason`, async () => {
      const { cluster, docs, expected } = await fixture('fail', name);
      const exempted = docs.map((doc) => ({
        ...doc,
        object: { ...doc.object, metadata: { ...doc.object.metadata, annotations: { ...doc.object.metadata.annotations, [exemptionAnnotation(id)]: 'vendor image, tracked in PLAT-123' } } },
      }));
      const result = runChecks({ cluster, docs: exempted, root: '/repo' }, policies());
      expect(result.findings).toEqual([]);
      // One exemption for each finding the fixture expects.
      expect(result.exemptions).toHaveLength(expected.length);
      for (const exemption of result.exemptions) expect(exemption).toMatchObject({ check: id, reason: 'vendor image, tracked in PLAT-123' });
    });
  }

  it('does not honour an exemption without a reason', async () => {
    const { cluster, docs } = await fixture('fail', 'no-secret-objects.secret.yaml');
    const blank = docs.map((doc) => ({ ...doc, object: { ...doc.object, metadata: { ...doc.object.metadata, annotations: { [exemptionAnnotation('no-secret-objects')]: ' ' } } } }));
    expect(runChecks({ cluster, docs: blank, root: '/repo' }, policies()).findings).toHaveLength(1);
  });

  it('explains each Pod Security violation', async () => {
    const { cluster, docs } = await fixture('fail', 'pod-security-restricted.host-access.yaml');
    const [finding] = runChecks({ cluster, docs, root: '/repo' }, policies()).findings;
    expect(finding!.message).toContain('hostNetwork must not be true');
    expect(finding!.message).toContain('volume "docker" uses hostPath');
    expect(finding!.message).toContain('hostPort 8080 is not allowed');
    expect(finding!.message).toContain('runAsNonRoot must be true');
    expect(finding!.message).toContain('seccompProfile.type must be RuntimeDefault or Localhost');
  });

  it('requires digests only in production clusters (the production flag wins over the flavor)', async () => {
    const { docs } = await fixture('fail', 'image-digest-production.tag-only.yaml');
    const check = policies().filter((entry) => entry.id === 'image-digest-production');
    const staging = { ...cluster('staging') } as Cluster;
    expect(runChecks({ cluster: staging, docs, root: '/repo' }, check).findings).toEqual([]);
    expect(runChecks({ cluster: { ...staging, production: true } as Cluster, docs, root: '/repo' }, check).findings).toHaveLength(1);
    expect(runChecks({ cluster: { ...cluster('production'), production: false } as Cluster, docs, root: '/repo' }, check).findings).toEqual([]);
  });
});
