import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { repoRoot, tempRepo } from '../support/temp-repo.js';

const quiet = { out: () => undefined, err: () => undefined, isTTY: false, signal: new AbortController().signal };

describe('input JSON Schemas', () => {
  it('the committed generators/schemas/ match the zod schemas', async () => {
    const err: string[] = [];
    expect(await run(['--root', repoRoot, 'schemas', '--check'], { ...quiet, err: (l) => err.push(l) }), err.join('\n')).toBe(0);
  });

  it('--check reports a stale schema and exit 1; without it the schema is rewritten', async () => {
    const repo = await tempRepo();
    try {
      await repo.write('generators/schemas/service.schema.json', '{}\n');
      const err: string[] = [];
      expect(await run(['--root', repo.root, 'schemas', '--check'], { ...quiet, err: (l) => err.push(l) })).toBe(1);
      expect(err).toContain('generators/schemas/service.schema.json');
      expect(await run(['--root', repo.root, 'schemas'], quiet)).toBe(0);
      expect(JSON.parse(await repo.read('generators/schemas/service.schema.json')).properties.image).toBeDefined();
    } finally {
      await repo.cleanup();
    }
  });

  it('every input file is accepted by the JSON Schema it names (what the editor checks agrees with the loader)', async () => {
    const { listFiles } = await import('../../src/render/tree-io.js');
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { Ajv } = await import('ajv');
    const { parse } = await import('yaml');
    const inputs = [
      ...(await listFiles(path.join(repoRoot, 'apps'))).map((f) => `apps/${f}`),
      ...(await listFiles(path.join(repoRoot, 'infra'))).map((f) => `infra/${f}`),
      ...(await listFiles(path.join(repoRoot, 'clusters'))).filter((f) => !f.includes('rendered/') && f.endsWith('.yaml')).map((f) => `clusters/${f}`),
    ];
    const ajv = new Ajv({ allErrors: true, strict: false });
    const named = new Set<string>();
    for (const file of inputs) {
      const text = await readFile(path.join(repoRoot, file), 'utf8');
      const schemaFile = path.resolve(path.dirname(path.join(repoRoot, file)), /\$schema=(\S+)/.exec(text)![1]!);
      named.add(path.basename(schemaFile));
      if (!ajv.getSchema(schemaFile)) ajv.addSchema(JSON.parse(await readFile(schemaFile, 'utf8')) as object, schemaFile);
      const validate = ajv.getSchema(schemaFile)!;
      expect(validate(parse(text) ?? {}), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // Every schema is exercised by at least one committed file.
    expect([...named].sort()).toEqual(['addons.schema.json', 'cluster.schema.json', 'infra.schema.json', 'params.schema.json', 'service-override.schema.json', 'service.schema.json']);
  });

  it('every input file names its schema on its first lines', async () => {
    const { listFiles } = await import('../../src/render/tree-io.js');
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const inputs = [
      ...(await listFiles(path.join(repoRoot, 'apps'))).map((f) => `apps/${f}`),
      ...(await listFiles(path.join(repoRoot, 'infra'))).map((f) => `infra/${f}`),
      ...(await listFiles(path.join(repoRoot, 'clusters'))).filter((f) => !f.includes('rendered/') && f.endsWith('.yaml')).map((f) => `clusters/${f}`),
    ];
    expect(inputs.length).toBeGreaterThan(10);
    for (const file of inputs) {
      const head = (await readFile(path.join(repoRoot, file), 'utf8')).split('\n').slice(0, 3).join('\n');
      expect(head, file).toMatch(/# yaml-language-server: \$schema=(\.\.\/)+generators\/schemas\/[a-z-]+\.schema\.json/);
    }
  });
});
