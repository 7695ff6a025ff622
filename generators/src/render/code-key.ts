import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The part of every chart's cache key that stands for the generator code: a hash of every module
 * the render reaches from `render-platform` (followed through its relative imports, the generated
 * CRD constructs included), the name and installed version of every package those modules import
 * (cdk8s, cdk8s-plus-28, constructs, yaml, ...), the Node.js version and `CDK8S_LEGACY_HASH`.
 * Editing any of that code invalidates every cached chart; editing code the render does not reach
 * (validate, diff, the CLI) invalidates none. Computed once per process.
 */
export function generatorCodeKey(): string {
  codeKey ??= codeKeyOf(path.join(path.dirname(fileURLToPath(import.meta.url)), `render-platform${path.extname(fileURLToPath(import.meta.url))}`));
  return codeKey;
}
let codeKey: string | undefined;

const importPattern = /(?:^|[\s;}])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]/g;

/** The code key of the module graph reachable from `entry` (a .js or .ts file). */
export function codeKeyOf(entry: string): string {
  const { modules, packages } = codeGraph(entry);
  const base = path.dirname(entry);
  const lines = [
    'gitops render code key v1',
    `node ${process.version}`,
    `CDK8S_LEGACY_HASH=${process.env['CDK8S_LEGACY_HASH'] ?? ''}`,
    ...[...packages].map(([name, version]) => `package ${name}@${version}`).sort(),
    ...[...modules].map(([file, hash]) => `module ${path.relative(base, file).split(path.sep).join('/')} ${hash}`).sort(),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Every module reachable from `entry` (absolute path → content hash) and every package they import (name → version). */
export function codeGraph(entry: string): { modules: Map<string, string>; packages: Map<string, string> } {
  const modules = new Map<string, string>();
  const packages = new Map<string, string>();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop()!;
    if (modules.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    modules.set(file, createHash('sha256').update(text).digest('hex'));
    for (const match of text.matchAll(importPattern)) {
      const specifier = (match[1] ?? match[2] ?? match[3])!;
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier));
      else if (!specifier.startsWith('node:')) {
        const name = packageName(specifier);
        if (!packages.has(name)) packages.set(name, installedVersion(path.dirname(file), name));
      }
    }
  }
  return { modules, packages };
}

/** `./x.js` from a compiled module, or the `./x.ts` it stands for in the sources (NodeNext imports name the .js). */
function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  if (existsSync(target)) return target;
  const source = target.replace(/\.js$/, '.ts');
  if (existsSync(source)) return source;
  throw new Error(`render code key: cannot resolve ${specifier} imported by ${from}`);
}

/** `cdk8s-plus-28` of `cdk8s-plus-28/lib/x`, `@scope/name` of `@scope/name/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Version of the package Node would load from `dir` (the nearest node_modules/<name>/package.json). */
function installedVersion(dir: string, name: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    const manifest = path.join(at, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version);
    if (path.dirname(at) === at) return 'not-installed';
  }
}
