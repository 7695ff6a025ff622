/**
 * Every relative link of the README and of docs/ resolves: the file or folder exists in the
 * repository, and an `#anchor` is the GitHub anchor of a heading of the page it points at.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/temp-repo.js';
import { docPages, headingSlugs, links, readPage } from '../support/markdown.js';

/** The broken links of `page`, one line each: `page:line target: why`. */
async function brokenLinks(root: string, page: string): Promise<string[]> {
  const text = await readPage(root, page);
  const broken: string[] = [];
  for (const link of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto: ...: not checked offline
    const [file = '', anchor] = link.target.split('#', 2);
    const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(file))) : page;
    const where = `${page}:${link.line} ${link.target}`;
    if (target.startsWith('../') || path.posix.isAbsolute(target)) {
      broken.push(`${where}: points outside the repository`);
      continue;
    }
    const found = await stat(path.join(root, target)).catch(() => undefined);
    if (!found) {
      broken.push(`${where}: no file ${target}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!target.endsWith('.md')) broken.push(`${where}: an anchor into ${target}, which is not a Markdown page`);
    else if (!headingSlugs(await readPage(root, target)).includes(anchor)) broken.push(`${where}: no heading of ${target} has the anchor #${anchor}`);
  }
  return broken;
}

describe('documentation links', () => {
  it('reads slugs as GitHub makes them', () => {
    expect(headingSlugs('# Learning Platform GitOps\n## The rehearsal (`rehearse`) and its report\n## Guarantees of `render`\n## Bootstrap staging (k3s on EC2), step by step\n## When to add `allow-data-loss`\n## The service input: `apps/<service>/service.yaml`\n## Roll back\n```sh\n# not a heading\n```\n## Roll back\n')).toEqual([
      'learning-platform-gitops',
      'the-rehearsal-rehearse-and-its-report',
      'guarantees-of-render',
      'bootstrap-staging-k3s-on-ec2-step-by-step',
      'when-to-add-allow-data-loss',
      'the-service-input-appsserviceserviceyaml',
      'roll-back',
      'roll-back-1',
    ]);
  });

  it('finds the pages: the README and every page under docs/', async () => {
    const pages = await docPages(repoRoot);
    expect(pages[0]).toBe('README.md');
    expect(pages).toEqual(expect.arrayContaining(['docs/service-teams.md', 'docs/reviewers.md', 'docs/on-call.md', 'docs/platform-owners.md', 'docs/contributors.md', 'docs/reference/commands.md']));
  });

  it('Pass when every relative link and anchor of README.md and docs/ resolves', async () => {
    const broken: string[] = [];
    for (const page of await docPages(repoRoot)) broken.push(...(await brokenLinks(repoRoot, page)));
    expect(broken).toEqual([]);
  });

  it('Fail when a link points at a missing file or heading', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'gitops-doc-links-'));
    try {
      await mkdir(path.join(root, 'docs'));
      await writeFile(path.join(root, 'README.md'), '# Top\n\n[ok](docs/a.md#a-page) [gone](docs/missing.md) [bad anchor](docs/a.md#nope) [out](../x.md)\n`[in code](nowhere.md)`\n');
      await writeFile(path.join(root, 'docs', 'a.md'), '# A page\n\n[back](../README.md#top) [self](#a-page) [web](https://example.com/x)\n');
      expect(await brokenLinks(root, 'README.md')).toEqual([
        'README.md:3 docs/missing.md: no file docs/missing.md',
        'README.md:3 docs/a.md#nope: no heading of docs/a.md has the anchor #nope',
        'README.md:3 ../x.md: points outside the repository',
      ]);
      expect(await brokenLinks(root, 'docs/a.md')).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
