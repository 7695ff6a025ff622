import { parse } from 'yaml';

/**
 * How the policy checks parse one rendered document. A module of its own: the cache of parsed
 * documents (`rendered-docs.ts`) is keyed by this code and the yaml package version
 * (`render/code-key.ts`), so a change to either parses everything again.
 */
export function parseRenderedDocument(text: string): unknown {
  return parse(text, { maxAliasCount: -1 });
}
