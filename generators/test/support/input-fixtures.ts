import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatIssue, InputError } from '../../src/errors.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import { repoRoot } from './temp-repo.js';

/**
 * An input fixture: one YAML file whose header comments say where it goes and what it proves
 * (`# rule:` or `# case:`, `# target: <repo path>`, `# expect: <file:line:col path: message>`).
 */
export interface InputFixture {
  readonly name: string;
  readonly text: string;
  readonly header: Record<string, string>;
}

/** Reads `generators/test/fixtures/<folder>/<kind>/*.yaml`, sorted by name. */
export function readInputFixtures(folder: string, kind: 'valid' | 'invalid'): InputFixture[] {
  const dir = path.join(repoRoot, 'generators/test/fixtures', folder, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8');
      const header = Object.fromEntries([...text.matchAll(/^# (\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      return { name, text, header };
    });
}

/** Loads a repository's inputs and returns every issue, formatted as the CLI prints it. */
export async function loadIssues(root: string): Promise<string[]> {
  try {
    await loadPlatform(root);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.issues.map(formatIssue);
    throw error;
  }
}
