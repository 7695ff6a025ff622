import type { Finding, RenderedDoc } from '../checks.js';

/**
 * Helpers shared by the policies. Only types come from `../checks.js`: `checks.ts` imports every
 * policy to register it, so a value import back would be a cycle.
 */

/** `Kind/namespace/name` or `Kind/name`: the same form as `resourceId` in checks.ts (a test keeps them equal). */
export function resourceOf(doc: RenderedDoc): string {
  const { kind, metadata } = doc.object;
  return metadata.namespace ? `${kind}/${metadata.namespace}/${metadata.name}` : `${kind}/${metadata.name}`;
}

/** A finding about one document. */
export function findingFor(check: string, doc: RenderedDoc, message: string, fix: string): Finding {
  return { check, file: doc.file, resource: resourceOf(doc), message, fix };
}

/** The container's name for messages: `container "main"`, `init container "migrate"`. */
export function containerLabel(name: unknown, type: 'initContainer' | 'container' | 'ephemeralContainer'): string {
  const label = type === 'initContainer' ? 'init container' : type === 'ephemeralContainer' ? 'ephemeral container' : 'container';
  return `${label} "${String(name ?? '?')}"`;
}
