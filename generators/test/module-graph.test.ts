/**
 * The import graph of generators/src, read from the sources: dependencies run one way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/temp-repo.js';

const srcRoot = path.join(repoRoot, 'generators/src');

/** Every `.ts` file under generators/src with the relative modules it imports or re-exports (type-only ones too). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(srcRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(srcRoot, file), 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)].map((m) => (m[1] ?? m[2])!);
    const deps = specifiers.map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(file, [...new Set(deps.filter((dep) => known.has(dep)))]);
  }
  return graph;
}

/** The cycles of the graph, each as the files of one strongly connected component. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('generators/src import graph', () => {
  const graph = importGraph();

  it('reads the imports it checks (multi-line, type-only, re-exports)', () => {
    expect(graph.get('validate/checks.ts')).toEqual(expect.arrayContaining(['validate/rendered-check.ts', 'validate/policies/ownership.ts']));
    expect(graph.get('validate/policies/support.ts')).toContain('validate/rendered-check.ts');
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('policies take the check types from rendered-check.ts, never from the registry that imports them', () => {
    const intoRegistry = [...graph].filter(([file, deps]) => file.startsWith('validate/policies/') && deps.includes('validate/checks.ts'));
    expect(intoRegistry.map(([file]) => file)).toEqual([]);
    expect(graph.get('validate/rendered-check.ts')!.filter((dep) => dep.startsWith('validate/'))).toEqual([]);
  });

  it('the render reaches nothing under validate/: the render cache keys on the code it reaches (render/code-key.ts), so a validate edit must not invalidate it', () => {
    const reached = new Set<string>();
    const pending = ['render/render-platform.ts'];
    while (pending.length) {
      const file = pending.pop()!;
      if (reached.has(file)) continue;
      reached.add(file);
      pending.push(...(graph.get(file) ?? []));
    }
    // The walk is real: it reaches the construct that writes the exemption annotation, and the module holding it.
    expect([...reached]).toEqual(expect.arrayContaining(['constructs/infra/protection.ts', 'policy-exemption.ts']));
    expect([...reached].filter((file) => file.startsWith('validate/'))).toEqual([]);
  });
});
