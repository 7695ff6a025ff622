import { afterEach, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/diff/format/html.js';
import { renderJson } from '../../../src/diff/format/json.js';
import type { DiffReport } from '../../../src/diff/report.js';
import { CLUSTERS, gitRepo, object, type GitRepo } from '../support/git-repo.js';

/**
 * The HTML report as text: self-contained, the JSON report embedded unchanged and inert. What it
 * does in a browser is html-report.browser.test.ts's part.
 */

const repos: GitRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

/** The embedded JSON, decoded as the page's script decodes it. */
function embedded(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!);
}

const report: DiffReport = {
  base: { ref: 'HEAD^1', commit: 'a'.repeat(40) },
  totals: { added: 1, changed: 0, removed: 0, moved: 0, unchanged: 3 },
  flags: [{ level: 'notice', rule: 'production-change', cluster: 'production', app: 'web', resource: '', message: '</script><script>alert(1)</script>' }],
  images: [],
  groups: [
    {
      cluster: 'production',
      app: 'web',
      production: true,
      counts: { added: 1, changed: 0, removed: 0, moved: 0 },
      kinds: { added: { ConfigMap: 1 }, changed: {}, removed: {}, moved: {} },
      changes: [
        {
          status: 'added',
          cluster: 'production',
          app: 'web',
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'web',
          name: 'web-env',
          hiddenChanges: [],
          patch: '--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1,1 @@\n+note: "<!-- </script> \u2028"',
        },
      ],
    },
  ],
  dataLoss: false,
};

describe('HTML report', () => {
  it('Pass when the page is self-contained: a CSP that forbids every request, no external src or href, the JSON report embedded unchanged', () => {
    const html = renderHtml(report, 0);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(embedded(html)).toEqual(JSON.parse(renderJson(report, 0)));
  });

  it('Fail when data could end the script: "</script>", "<!--" and line separators are escaped inside the embedded JSON', () => {
    const html = renderHtml(report, 0);
    const data = /id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toContain('</script');
    expect(data).not.toContain('<!--');
    expect(data).not.toContain('\u2028');
    expect(data).toContain('\\u003c/script>\\u003cscript>alert(1)');
  });

  it('Pass when gitops diff writes --html beside the Markdown and the Markdown links it (--html-url)', async () => {
    const repo = await gitRepo({ files: { ...CLUSTERS } });
    repos.push(repo);
    await repo.write('clusters/production/rendered/apps/web/configmap.web-env.yaml', object('v1', 'ConfigMap', 'web-env', 'web', { data: { A: '1' } }));
    const url = 'https://github.com/example-org/repo/actions/runs/1#artifacts';
    const result = await repo.gitops('diff', '--base', 'HEAD', '--format', 'markdown', '--html', `${repo.root}/out/report.html`, '--html-url', url);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`[HTML report](${url}) (report.html)`);
    expect(result.err).toContain('HTML report written to');
    const html = await repo.read('out/report.html');
    const json = await repo.gitops('diff', '--base', 'HEAD', '--format', 'json');
    expect(embedded(html)).toEqual(JSON.parse(json.out));

    const bad = await repo.gitops('diff', '--base', 'HEAD', '--html-url', 'javascript:alert(1)', '--html', `${repo.root}/out/r.html`);
    expect(bad.code).toBe(2);
  });
});
