import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { loadClusters } from '../../src/inputs/clusters.js';
import { argoCdRelease } from '../../src/inputs/releases.js';
import { chartsVersionedApart } from '../../src/inputs/schemas/addons.js';
import * as versions from '../../src/tools/versions.js';
import { chartCrds, clusterCrdSources, providerAwsCrds } from '../../src/validate/crd-sources.js';
import { repoRoot } from '../support/temp-repo.js';

/**
 * The dependency-update config covers what the repository pins: npm (built in), the pinned Go
 * tools and schema modules, chart versions and the k3s version in the cluster inputs, and the Go
 * toolchain of the workflows. Renovate cannot run here, so its regex managers are applied the way
 * Renovate applies them (JavaScript regular expressions, global) to the real files.
 */

interface CustomManager {
  customType: string;
  managerFilePatterns: string[];
  matchStrings: string[];
}
interface RenovateConfig {
  extends: string[];
  customManagers: CustomManager[];
  packageRules: { matchManagers?: string[]; pinDigests?: boolean }[];
}

const config = JSON.parse(await readFile(path.join(repoRoot, '.github/renovate.json'), 'utf8')) as RenovateConfig;

function filePattern(pattern: string): RegExp {
  const match = /^\/(.*)\/$/.exec(pattern);
  if (!match) throw new Error(`managerFilePatterns entry ${pattern} is not a /regex/`);
  return new RegExp(match[1]!);
}

async function repositoryFiles(): Promise<string[]> {
  const files: string[] = [];
  const entries = (
    await Promise.all(['clusters', 'infra', '.github', 'generators/src/tools'].map((dir) => readdir(path.join(repoRoot, dir), { recursive: true, withFileTypes: true }).catch(() => [])))
  ).flat();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = path.relative(repoRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (/^(node_modules|\.git|\.tools|\.cache|generators\/dist)\//.test(relative) || relative.includes('/rendered/')) continue;
    files.push(relative);
  }
  return files.sort();
}

/** Every dependency the managers extract from a file, as Renovate would. */
function extract(manager: CustomManager, text: string): { depName: string; datasource: string; currentValue: string; index: number }[] {
  return manager.matchStrings.flatMap((source) =>
    [...text.matchAll(new RegExp(source, 'g'))].map((match) => ({
      depName: match.groups!['depName']!,
      datasource: match.groups!['datasource']!,
      currentValue: match.groups!['currentValue']!,
      index: match.index,
    })),
  );
}

async function extracted(): Promise<Map<string, ReturnType<typeof extract>>> {
  const result = new Map<string, ReturnType<typeof extract>>();
  const files = await repositoryFiles();
  for (const manager of config.customManagers) {
    const patterns = manager.managerFilePatterns.map(filePattern);
    for (const file of files.filter((name) => patterns.some((pattern) => pattern.test(name)))) {
      const found = extract(manager, await readFile(path.join(repoRoot, file), 'utf8'));
      result.set(file, [...(result.get(file) ?? []), ...found]);
    }
  }
  return result;
}

describe('Renovate config (.github/renovate.json)', () => {
  it('keeps GitHub Actions pinned by digest and npm on the built-in manager', () => {
    expect(config.extends).toContain('config:recommended');
    expect(config.packageRules.some((rule) => rule.matchManagers?.includes('github-actions') && rule.pinDigests)).toBe(true);
  });

  it('moves every pinned version constant in generators/src/tools/versions.ts', async () => {
    const text = await readFile(path.join(repoRoot, 'generators/src/tools/versions.ts'), 'utf8');
    const found = (await extracted()).get('generators/src/tools/versions.ts') ?? [];
    const hints = text.match(/renovate: datasource=/g) ?? [];
    expect(found.length).toBe(hints.length);
    const exported = versions as unknown as Record<string, unknown>;
    const pinned = Object.entries(exported).filter(([name, value]) => /(_VERSION|^KUBERNETES_1_\d+)$/.test(name) && typeof value === 'string' && /^v\d/.test(value));
    expect(pinned.length).toBeGreaterThan(0);
    for (const [name, value] of pinned) {
      expect(found.map((dep) => dep.currentValue), `${name} = ${String(value)} needs a renovate: hint`).toContain(value);
    }
    for (const tool of Object.values(versions.GO_TOOLS)) {
      expect(found.some((dep) => dep.datasource === 'go' && tool.module.startsWith(dep.depName) && dep.currentValue === tool.version), tool.module).toBe(true);
    }
  });

  it('matches every renovate: hint in the cluster inputs, infra and workflows (chart versions, k3s, Go)', async () => {
    const all = await extracted();
    const files = await repositoryFiles();
    const covered = config.customManagers.find((manager) => manager.managerFilePatterns.some((pattern) => pattern.includes('clusters')))!;
    const patterns = covered.managerFilePatterns.map(filePattern);
    for (const file of files.filter((name) => patterns.some((pattern) => pattern.test(name)))) {
      const text = await readFile(path.join(repoRoot, file), 'utf8');
      const hints = [...text.matchAll(/#\s*renovate:/g)].length;
      expect(all.get(file)?.length ?? 0, `${file}: every "# renovate:" comment must sit right above the value it moves`).toBe(hints);
    }
    expect(all.get('.github/workflows/pr.yaml')?.map((dep) => `${dep.datasource} ${dep.depName}`)).toContain('golang-version go');
  });

  it('leaves no k3s version, chart version, image tag or package reference in the cluster inputs without a hint', async () => {
    const all = await extracted();
    for (const file of (await repositoryFiles()).filter((name) => /^clusters\/([^/]+\.ya?ml|[^/]+\/cluster\.ya?ml)$/.test(name))) {
      const text = await readFile(path.join(repoRoot, file), 'utf8');
      const moved = new Set((all.get(file) ?? []).map((dep) => dep.currentValue));
      const k3s = text.match(/v\d+\.\d+\.\d+\+k3s\d+/g) ?? [];
      const charts = [...text.matchAll(/^\s*version:\s*["']?(\d+\.\d+\.\d+[^"'\s]*)/gm)].map((match) => match[1]!);
      const tags = [...text.matchAll(/\btag:\s*["']?(v?\d+\.\d+\.\d+[^"'\s,}]*)/g)].map((match) => match[1]!);
      const references = [...text.matchAll(/^\s*[\w-]+:\s*["']?[a-z0-9.-]+\/[^\s"':]+:(v?\d+\.\d+\.\d+[^"'\s]*)/gm)].map((match) => match[1]!);
      for (const value of [...k3s, ...charts, ...tags, ...references]) expect(moved.has(value), `${file}: ${value} has no "# renovate:" comment above it`).toBe(true);
    }
  });

  it('moves what validate checks with what the clusters install: every CRD version follows one pin the managers move', async () => {
    const all = await extracted();
    const moved = (file: string) => new Set((all.get(file) ?? []).map((dep) => dep.currentValue));
    const addons = moved('clusters/addons.yaml');
    const catalogue = (await readAddonCatalogue(repoRoot)).catalogue!;
    for (const [id, layout] of Object.entries(chartCrds)) {
      const chart = catalogue.charts[id as keyof typeof catalogue.charts];
      expect(addons.has(chart.version), `charts.${id}.version is moved by the bot`).toBe(true);
      // Versioned with the application, the CRDs are v<chart version>; otherwise the appVersion beside it (renovate.json asks for it in the pull
      // request). Argo CD's are the release the clusters run, whose CRDs they install in place of the chart's: the image tag the bot moves.
      if (id === 'argo-cd' && chart.image) expect(addons.has(chart.image.tag), 'charts.argo-cd.image.tag is moved by the bot').toBe(true);
      const expected = id === 'argo-cd' ? argoCdRelease(catalogue) : chartsVersionedApart.includes(id as never) ? chart.appVersion : `v${chart.version}`;
      for (const cluster of await loadClusters(repoRoot)) {
        expect(clusterCrdSources(catalogue, cluster).find((source) => source.id === layout.id)?.version, `${id} CRDs in ${cluster.name}`).toBe(expected);
      }
    }
    for (const reference of Object.values(catalogue.crossplaneProviders)) expect(addons.has(reference.split(':').pop()!), reference).toBe(true);
    for (const cluster of await loadClusters(repoRoot)) {
      const sources = clusterCrdSources(catalogue, cluster);
      expect(sources.find((source) => source.id === providerAwsCrds.id)?.version).toBe(catalogue.crossplaneProviders.rds.split(':').pop());
      if (cluster.flavor !== 'k3s') continue;
      expect(moved(cluster.file).has(cluster.k3s.version), `${cluster.file} k3s.version is moved by the bot`).toBe(true);
      expect(sources.find((source) => source.id === 'k3s-helm-controller')?.version).toBe(cluster.k3s.helmController);
    }
    // No CRD version is pinned on its own any more.
    expect(Object.keys(versions).filter((name) => /^(ACK|ARGO|EXTERNAL|UPBOUND|CROSSPLANE|K3S)_/.test(name))).toEqual([]);
  });

  it('asks for the values the bot cannot move with a pin: appVersion beside argo-cd and argo-workflows, k3s.helmController beside k3s', () => {
    const notes = (name: string) => (config.packageRules as { matchPackageNames?: string[]; prBodyNotes?: string[] }[]).filter((rule) => rule.matchPackageNames?.includes(name)).flatMap((rule) => rule.prBodyNotes ?? []);
    for (const chart of chartsVersionedApart) expect(notes(chart).join(' '), chart).toContain('appVersion');
    expect(notes('k3s-io/k3s').join(' ')).toContain('k3s.helmController');
  });

  it('extracts chart, image, package, k3s and Go pins written in the documented comment forms', () => {
    const manager = config.customManagers[1]!;
    const sample = [
      'charts:',
      '  # renovate: datasource=helm registryUrl=https://argoproj.github.io/argo-helm depName=argo-cd',
      '  argo-cd:',
      '    repoURL: https://argoproj.github.io/argo-helm',
      '    chart: argo-cd',
      '    version: 10.1.1',
      '    appVersion: v3.4.4',
      '  # renovate: datasource=docker depName=public.ecr.aws/aws-controllers-k8s/rds-chart',
      '  ack-rds:',
      '    repoURL: oci://public.ecr.aws/aws-controllers-k8s/rds-chart',
      '    version: 1.10.1',
      '    # renovate: datasource=docker depName=public.ecr.aws/aws-observability/aws-otel-collector',
      '    image: { repository: public.ecr.aws/aws-observability/aws-otel-collector, tag: v0.46.0 }',
      'crossplaneProviders:',
      '  # renovate: datasource=docker depName=xpkg.upbound.io/upbound/provider-aws-rds',
      '  rds: xpkg.upbound.io/upbound/provider-aws-rds:v1.17.0',
      'k3s:',
      '  # renovate: datasource=github-releases depName=k3s-io/k3s versioning=regex:^v(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)\\+k3s(?<build>\\d+)$',
      '  version: "v1.35.4+k3s1"',
      'env:',
      '  # renovate: datasource=golang-version depName=go',
      '  GO_VERSION: "1.26.8"',
      '',
    ].join('\n');
    const found = extract(manager, sample).sort((a, b) => a.index - b.index);
    expect(found.map((dep) => `${dep.datasource} ${dep.depName} ${dep.currentValue}`)).toEqual([
      'helm argo-cd 10.1.1',
      'docker public.ecr.aws/aws-controllers-k8s/rds-chart 1.10.1',
      'docker public.ecr.aws/aws-observability/aws-otel-collector v0.46.0',
      'docker xpkg.upbound.io/upbound/provider-aws-rds v1.17.0',
      'github-releases k3s-io/k3s v1.35.4+k3s1',
      'golang-version go 1.26.8',
    ]);
  });
});
