import { resourceId, type Finding, type RenderedDoc } from '../rendered-check.js';

/** Helpers shared by the policies. */

/** A finding about one document. */
export function findingFor(check: string, doc: RenderedDoc, message: string, fix: string): Finding {
  return { check, file: doc.file, resource: resourceId(doc), message, fix };
}

/** The container's name for messages: `container "main"`, `init container "migrate"`. */
export function containerLabel(name: unknown, type: 'initContainer' | 'container' | 'ephemeralContainer'): string {
  const label = type === 'initContainer' ? 'init container' : type === 'ephemeralContainer' ? 'ephemeral container' : 'container';
  return `${label} "${String(name ?? '?')}"`;
}
