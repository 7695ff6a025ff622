import type { ApiObject } from 'cdk8s';

/**
 * Lets an object of a generated class (`generators/imports/`, typed from a pinned CRD) carry a
 * part that is already Kubernetes JSON, such as a pod template cdk8s-plus built. The generated
 * `toJson` maps every field through the CRD's typed props and drops what is not one of its
 * classes (an `IntOrString` probe port or resource quantity given as a plain value), so `finish`
 * sets that part after the mapping, verbatim. Returns the object.
 */
export function withVerbatimJson<T extends ApiObject>(object: T, finish: (json: Record<string, any>) => Record<string, unknown>): T {
  const typed = object.toJson.bind(object);
  object.toJson = () => finish(typed() as Record<string, any>);
  return object;
}
