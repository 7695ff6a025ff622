/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to it alone).
 * `render`: the real pipeline, inputs to files on disk. `lower-bound`: the same manifests built as
 * plain objects (from compact JSON prepared before the clock starts: `JSON.parse` is the cheapest
 * way to build an object), stringified with `yaml`, written as the same files the same way.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadPlatform } from '../inputs/platform.js';
import { renderPlatform, renderToMemory } from '../render/render-platform.js';
import { renderedDir, writeTree } from '../render/tree-io.js';
import { generatedHeader } from '../render/manifest-files.js';
import { TaskPool } from '../render/task-pool.js';
import { parseAllDocuments } from 'yaml';

const [mode, root] = process.argv.slice(2) as ['render' | 'lower-bound', string];

/** No rendered tree and no cache: every measurement is a cold, full render. */
async function clean(): Promise<void> {
  for (const cluster of ['production', 'staging', 'perf']) await rm(renderedDir(root, cluster), { recursive: true, force: true });
  await rm(path.join(root, '.cache'), { recursive: true, force: true });
}

await clean();
let files = 0;
let seconds: number;
if (mode === 'render') {
  const start = performance.now();
  const result = await writeTree(root, renderPlatform(await loadPlatform(root)));
  seconds = (performance.now() - start) / 1000;
  files = result.files;
} else {
  // The objects the render would produce, as plain data, prepared before the clock starts.
  const tree = renderToMemory(await loadPlatform(root));
  const objects = [...tree].flatMap(([cluster, list]) =>
    list.map((file) => ({
      cluster,
      path: file.path,
      // Manifests become plain objects; other files (READMEs, user data) are written as they are.
      json: file.path.endsWith('.yaml') ? JSON.stringify(parseAllDocuments(file.content)[0]!.toJS()) : undefined,
      text: file.content,
    })),
  );
  await clean();
  const header = generatedHeader(['apps/x/service.yaml', 'apps/x/production.yaml']);
  const start = performance.now();
  // Same write strategy as the render: folders made once, writes overlapped in a pool.
  const folders = new Map<string, Promise<unknown>>();
  const pool = new TaskPool();
  for (const { cluster, path: file, json, text } of objects) {
    const target = path.join(renderedDir(root, cluster), file);
    const dir = path.dirname(target);
    if (!folders.has(dir)) folders.set(dir, mkdir(dir, { recursive: true }));
    const ready = folders.get(dir)!;
    const content = json === undefined ? text : header + stringify(JSON.parse(json), { aliasDuplicateObjects: false, lineWidth: 0, minContentWidth: 0 });
    await pool.add(async () => {
      await ready;
      await writeFile(target, content);
    });
    files++;
  }
  await pool.drain();
  seconds = (performance.now() - start) / 1000;
}
await clean();
console.log(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024, files }));
