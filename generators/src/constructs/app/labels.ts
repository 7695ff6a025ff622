/** Label keys used on every rendered object. Selectors use only `selectorLabels`, which never change. */
export const labelKeys = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  team: 'learning-platform.io/team',
} as const;

export const partOf = 'learning-platform';
export const managedBy = 'gitops-render';

/** The pod selector of a service: its name, nothing derived from code structure. Immutable once deployed. */
export function selectorLabels(app: string): Record<string, string> {
  return { [labelKeys.name]: app };
}

/** Labels on every object of an app. */
export function appLabels(app: string, team: string): Record<string, string> {
  return {
    [labelKeys.name]: app,
    [labelKeys.partOf]: partOf,
    [labelKeys.managedBy]: managedBy,
    [labelKeys.team]: team,
  };
}
