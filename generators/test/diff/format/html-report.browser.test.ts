import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticRepo } from '../../../src/bench/synthetic-repo.js';
import { gitRepo, type GitRepo } from '../support/git-repo.js';

/**
 * The HTML report in a real browser: headless Chromium from Debian driven by playwright-core.
 * Nothing is skipped: without /usr/bin/chromium every test fails at once with the install command.
 *
 * Chromium flags: as /work/.library/env/machines/go.md "Known to work" (headless, no sandbox as
 * root, no GPU, no QUIC, no background networking, component updates or sync: on a closed network
 * those only produce refused connections).
 */

/** Debian's Chromium; CHROMIUM_BIN names another Chromium-based browser (the GitHub runner's Chrome). */
const CHROMIUM = process.env['CHROMIUM_BIN'] || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
const repos: GitRepo[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's Chromium first (apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core').catch(() => {
    throw new Error('playwright-core is not installed: npm ci (it is a devDependency)');
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

interface JsonReport {
  totals: { added: number; changed: number; removed: number; moved: number; unchanged: number };
  flags: unknown[];
  images: unknown[];
  clusters: { name: string; apps: { name: string; changes: { kind: string; namespace?: string; name: string; status: string }[] }[] }[];
}

/** Writes the diff against HEAD as JSON and as HTML; returns both. */
async function reports(repo: GitRepo): Promise<{ json: JsonReport; html: string }> {
  const html = path.join(repo.root, 'out', 'report.html');
  const result = await repo.gitops('diff', '--base', 'HEAD', '--format', 'json', '--html', html);
  expect([0, 3]).toContain(result.code);
  return { json: JSON.parse(result.out) as JsonReport, html };
}

/**
 * Opens the page, collecting every console error, page error and failed or outgoing request;
 * resolves when the script says ready, with the wall time and the renderer's main-thread busy time
 * over the load (Chrome DevTools Protocol Performance.getMetrics TaskDuration and ScriptDuration,
 * counted from Performance.enable before the navigation): CPU time beside the wall time.
 */
async function open(file: string): Promise<{ page: Page; problems: string[]; loadMs: number; taskMs: number; scriptMs: number }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) problems.push(`network request: ${request.url()}`);
  });
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const started = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  const loadMs = performance.now() - started;
  const { metrics } = await session.send('Performance.getMetrics');
  await session.detach();
  const metric = (name: string) => (metrics.find((entry) => entry.name === name)?.value ?? Number.NaN) * 1000;
  return { page, problems, loadMs, taskMs: metric('TaskDuration'), scriptMs: metric('ScriptDuration') };
}

/** What the page's script reads in the browser (the tests compile without the DOM library). */
interface BrowserGlobals {
  readonly document: { readonly body: { readonly dataset: Record<string, string | undefined> } };
}

function resourceCount(json: JsonReport): number {
  return json.clusters.reduce((sum, cluster) => sum + cluster.apps.reduce((n, app) => n + app.changes.length, 0), 0);
}

/** Types into the search box and waits until the page has applied it; returns the match count and the time taken. */
async function search(page: Page, query: string): Promise<{ matches: number; ms: number }> {
  const started = performance.now();
  await page.fill('#search', query);
  // The page marks the query it applied (after its debounce).
  await page.waitForFunction((applied) => (globalThis as unknown as BrowserGlobals).document.body.dataset['search'] === applied, query.trim().toLowerCase(), { timeout: 30_000 });
  return { matches: Number(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.body.dataset['matches'])), ms: performance.now() - started };
}

describe('HTML report in Chromium', () => {
  it('Pass when the example platform\'s report opens without errors, its counts match the JSON report, a search finds a resource, and both views show the diff', async () => {
    const repo = await gitRepo({ fromExample: true });
    repos.push(repo);
    // A release to production (two canary Rollouts change) and a service that goes away in staging.
    for (const service of ['user-service', 'frontend']) {
      const result = await repo.gitops('deploy', '--cluster', 'production', '--services', service, '--digest', `sha256:${'e5'.repeat(32)}`);
      expect(result.code).toBe(0);
    }
    await repo.remove('clusters/staging/rendered/apps/course-service/networkpolicy.course-service.yaml');
    const { json, html } = await reports(repo);
    expect(resourceCount(json)).toBeGreaterThan(2);

    const { page, problems } = await open(html);
    try {
      expect(await page.textContent('#totals')).toContain(
        `Plan: ${json.totals.added} to add, ${json.totals.changed} to change, ${json.totals.removed} to destroy; ${json.totals.unchanged} unchanged.`,
      );
      expect(await page.locator('details.resource').count()).toBe(resourceCount(json));
      expect(await page.locator('details.app').count()).toBe(json.clusters.reduce((n, cluster) => n + cluster.apps.length, 0));
      expect(await page.locator('details.cluster').count()).toBe(json.clusters.length);
      expect(await page.locator('#flags tbody tr').count()).toBe(json.flags.length);
      expect(await page.locator('#images tbody tr').count()).toBe(json.images.length);

      // A search for one resource finds exactly it, and opens its app.
      const hit = await search(page, 'NetworkPolicy course-service/course-service');
      expect(hit.matches).toBe(1);
      const visible = page.locator('details.resource:not(.hidden)');
      expect(await visible.count()).toBe(1);
      expect(await visible.getAttribute('data-resource')).toBe('staging/course-service/NetworkPolicy course-service/course-service');
      expect(await page.locator('details.app[data-app="staging/course-service"]').evaluate((node) => (node as unknown as { open: boolean }).open)).toBe(true);

      // The diff of a changed Rollout, unified then side by side.
      await search(page, 'Rollout user-service/user-service');
      const rollout = page.locator('details.resource[data-resource="production/user-service/Rollout user-service/user-service"]');
      await rollout.locator('summary').click();
      const unified = rollout.locator('.diff.unified');
      await unified.waitFor();
      expect(await unified.locator('tr.del td.text').allTextContents()).toEqual([expect.stringContaining('image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform/user-service:2.14.0@sha256:48088d5d')]);
      expect(await unified.locator('tr.add td.text').allTextContents()).toEqual([expect.stringContaining(`user-service@sha256:${'e5'.repeat(32)}`)]);
      await page.check('input[name=view][value=split]');
      const split = rollout.locator('.diff.split');
      await split.waitFor();
      const row = split.locator('tr', { has: page.locator('td.text.del') });
      expect(await row.count()).toBe(1);
      expect(await row.locator('td.text.add').textContent()).toContain(`@sha256:${'e5'.repeat(32)}`);
      await page.screenshot({ path: path.join(os.tmpdir(), 'gitops-html-report-example.png'), fullPage: false });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  // Rendering the 500-service platform first takes a minute or more on a shared machine.
  it('Pass when a 500-service diff loads and searches quickly (times printed), every count matching the JSON report', { timeout: 900_000 }, async () => {
    const repo = await gitRepo();
    repos.push(repo);
    await writeSyntheticRepo(repo.root, 500);
    const rendered = await repo.gitops('render');
    expect(rendered.code).toBe(0);
    await repo.commit('synthetic platform');
    // Every production workload gets a new digest: 500 image changes, 500 apps.
    const apps = path.join(repo.root, 'clusters/production/rendered/apps');
    for (const service of await readdir(apps)) {
      if (!service.startsWith('service-')) continue; // README.md
      for (const file of await readdir(path.join(apps, service))) {
        if (!/^(deployment|rollout)\./.test(file)) continue;
        const target = path.join(apps, service, file);
        await writeFile(target, (await readFile(target, 'utf8')).replace(`@sha256:${'ab'.repeat(32)}`, `@sha256:${'ef'.repeat(32)}`));
      }
    }
    const { json, html } = await reports(repo);
    expect(json.images).toHaveLength(500);
    expect(resourceCount(json)).toBe(500);

    const { page, problems, loadMs, taskMs, scriptMs } = await open(html);
    try {
      expect(await page.locator('details.resource').count()).toBe(500);
      expect(await page.locator('details.app').count()).toBe(500);
      const one = await search(page, 'service-0417');
      expect(one.matches).toBe(1);
      const all = await search(page, 'ef'.repeat(32));
      expect(all.matches).toBe(500);
      const started = performance.now();
      await page.click('#expand');
      await page.locator('details.resource').first().locator('summary').click();
      await page.locator('.diff.unified').first().waitFor();
      const openMs = performance.now() - started;
      const size = (await readFile(html)).length;
      console.log(`500-service HTML report: ${(size / 1024).toFixed(0)} KiB; load to ready ${loadMs.toFixed(0)} ms wall (main thread busy ${taskMs.toFixed(0)} ms, of which script ${scriptMs.toFixed(0)} ms); search (1 hit) ${one.ms.toFixed(0)} ms, search (500 hits) ${all.ms.toFixed(0)} ms; open all + first diff ${openMs.toFixed(0)} ms; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
      // Generous bounds on a shared machine: the page must stay usable, not win a race.
      expect(loadMs).toBeLessThan(10_000);
      expect(all.ms).toBeLessThan(5_000);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
