export { AddonNamespace, type AddonNamespaceProps, type PodSecurityLevel } from './addon-namespace.js';
export {
  applicationSpec,
  defaultRetry,
  waveAnnotations,
  type ApplicationSource,
  type ApplicationSpecProps,
  type DirectorySource,
  type HelmSource,
  type IgnoreDifference,
  type SyncRetry,
} from './application-spec.js';
export { ArgocdAppProject, LockedDefaultProject, type ArgocdAppProjectProps, type ClusterGroupKind, type GroupKind, type SyncWindow } from './argocd-app-project.js';
export { ArgocdApplication, type ArgocdApplicationProps } from './argocd-application.js';
export { ArgocdDirectoryApplicationSet, type ArgocdDirectoryApplicationSetProps } from './argocd-directory-application-set.js';
