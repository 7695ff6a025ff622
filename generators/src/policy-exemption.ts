/**
 * The policy-exemption annotation, shared by the renderer (which writes it where an input asks
 * for a listed exemption) and the policy checks of `validate` (which honour and list it):
 *   `policy.learning-platform.io/exempt-<id>: "<reason>"`
 * A module of its own, importing nothing, so the render does not load `validate/` and an edit
 * there does not invalidate the render cache (`render/code-key.ts`).
 */

/** Annotation that exempts an object from one check; its value is the reason. */
export function exemptionAnnotation(checkId: string): string {
  return `policy.learning-platform.io/exempt-${checkId}`;
}

/** Id of the rendered-tree check that enforces AWS's own deletion protection (`validate/policies/stateful-protection.ts`). */
export const awsDeletionProtectionCheckId = 'aws-deletion-protection';
