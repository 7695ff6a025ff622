import { resourceId, type Finding, type RenderedCheck, type RenderedDoc } from '../rendered-check.js';
import { globMatch, groupOf, isNamespaced, normalizeRepo, readArgoCdTree, syncsFolder, type AppModel, type ProjectModel } from './argocd-tree.js';

/**
 * Everything an Application deploys is permitted by its AppProject, judged the way Argo CD
 * judges it (`IsSourcePermitted`, `IsDestinationPermitted`, `IsGroupKindNamePermitted`): the
 * source repositories, the destination, and each object's kind, scope, name and namespace. So
 * a project that is too narrow fails here, not in the cluster at sync time, and one that grants
 * what nothing uses is visible in review. Objects inside upstream charts are not in the tree;
 * for those only the repository and destination are checked.
 */

const ID = 'project-permissions';

/** Argo CD's repository match: exact after normalization, or a glob; `!` patterns deny. */
function sourcePermitted(project: ProjectModel, repoURL: string): boolean {
  const source = normalizeRepo(repoURL);
  let matched = false;
  for (const pattern of project.sourceRepos) {
    const deny = pattern.startsWith('!');
    const normalized = normalizeRepo(deny ? pattern.slice(1) : pattern);
    const hit = normalized === '*' || globMatch(normalized, source) || normalized === source;
    if (deny && hit) return false;
    if (!deny && hit) matched = true;
  }
  return matched;
}

function destinationPermitted(project: ProjectModel, destination: AppModel['destination'], namespace: string): boolean {
  return project.destinations.some((item) => {
    const server = destination.server !== undefined && item.server !== undefined && globMatch(item.server, destination.server);
    const name = destination.name !== undefined && item.name !== undefined && globMatch(item.name, destination.name);
    return (server || name) && globMatch(item.namespace ?? '', namespace);
  });
}

function kindPermitted(project: ProjectModel, group: string, kind: string, name: string, namespaced: boolean): boolean {
  const inList = (items: readonly { group: string; kind: string; name?: string }[], withName: boolean) =>
    items.some((item) => globMatch(item.kind, kind) && globMatch(item.group, group) && (!withName || !item.name || globMatch(item.name, name)));
  if (namespaced) {
    const white = project.namespacedWhitelist === undefined || (project.namespacedWhitelist.length > 0 && inList(project.namespacedWhitelist, false));
    return white && !inList(project.namespacedBlacklist, false);
  }
  return project.clusterWhitelist.length > 0 && inList(project.clusterWhitelist, true) && !inList(project.clusterBlacklist, true);
}

export const projectPermissions: RenderedCheck = {
  id: ID,
  description: "every object an Argo CD Application deploys is permitted by its AppProject (repositories, destinations, kinds, scope, names)",
  run: (context) => {
    const tree = readArgoCdTree(context);
    const findings: Finding[] = [];
    const label = (app: AppModel) => (app.generatedBy ? `Application ${app.name} (from ApplicationSet ${app.generatedBy})` : `Application ${app.name}`);
    for (const app of tree.apps) {
      const project = tree.projects.get(app.project);
      if (!project) continue; // reported by the ownership check
      const onApp = (message: string, fix: string) => findings.push({ check: ID, file: app.doc.file, resource: resourceId(app.doc), message, fix });
      for (const source of app.sources) {
        if (!sourcePermitted(project, source.repoURL)) {
          onApp(`${label(app)} uses ${source.repoURL}, which project ${project.name} does not list in sourceRepos`, `add the repository to AppProject ${project.name} (pinned chart repositories and this repository only)`);
        }
      }
      const destinationNamespace = app.destination.namespace ?? '';
      if (!destinationPermitted(project, app.destination, destinationNamespace)) {
        onApp(`${label(app)} deploys to namespace "${destinationNamespace}", which project ${project.name} does not allow`, `add the destination to AppProject ${project.name} or change the Application`);
      }
      const own = app.sources.filter((source) => normalizeRepo(source.repoURL) === normalizeRepo(tree.repoURL));
      for (const [folder, docs] of tree.folders) {
        if (!own.some((source) => syncsFolder(source, folder))) continue;
        for (const doc of docs) findings.push(...objectFindings(doc, app, project, destinationNamespace, label(app)));
      }
    }
    return findings;
  },
};

function objectFindings(doc: RenderedDoc, app: AppModel, project: ProjectModel, destinationNamespace: string, label: string): Finding[] {
  const findings: Finding[] = [];
  const group = groupOf(doc.object.apiVersion);
  const namespaced = isNamespaced(doc);
  const kind = `${group || 'core'}/${doc.object.kind}`;
  if (!kindPermitted(project, group, doc.object.kind, doc.object.metadata.name, namespaced)) {
    findings.push({
      check: ID,
      file: doc.file,
      resource: resourceId(doc),
      message: `${label} deploys ${namespaced ? 'namespaced' : 'cluster-scoped'} ${kind} "${doc.object.metadata.name}", which project ${project.name} does not permit`,
      fix: namespaced
        ? `add ${kind} to namespaceResourceWhitelist of AppProject ${project.name} (generators/src/argocd/plan.ts) if the project should deploy it, or render the object elsewhere`
        : `add ${kind}${doc.object.kind === 'Namespace' ? ` named ${doc.object.metadata.name}` : ''} to clusterResourceWhitelist of AppProject ${project.name} (generators/src/argocd/plan.ts) if the project should own it, or render the object elsewhere`,
    });
  }
  if (namespaced) {
    const namespace = doc.object.metadata.namespace ?? destinationNamespace;
    if (!destinationPermitted(project, app.destination, namespace)) {
      findings.push({
        check: ID,
        file: doc.file,
        resource: resourceId(doc),
        message: `${label} deploys ${kind} "${doc.object.metadata.name}" into namespace ${namespace}, which project ${project.name} does not allow`,
        fix: `keep the object in the project's namespaces (${project.destinations.map((d) => d.namespace).join(', ') || 'none'})`,
      });
    }
  }
  return findings;
}
