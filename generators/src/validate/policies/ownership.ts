import { resourceId, type Finding, type RenderedCheck } from '../rendered-check.js';
import { builtInNamespaces, folderHasFiles, isNamespaced, normalizeRepo, readArgoCdTree, syncsFolder, type AppModel } from './argocd-tree.js';

/**
 * Every folder of a cluster's rendered tree is synced by exactly one Argo CD Application, and
 * everything an Application points at exists: its folders, its project (never `default`), and
 * a rendered Namespace for every namespace it deploys into. The ApplicationSets' git directory
 * generators are simulated against the folders on disk. `bootstrap/` is the one folder applied
 * from outside Argo CD; no Application may sync it.
 *
 * Named errors: `gap` (a folder nobody syncs), `overlap` (a folder or namespace two own),
 * `missing path`, `outside the tree`, `bootstrap synced`, `namespace not rendered`,
 * `default project`, `unknown project`.
 */

const ID = 'ownership';

export const ownership: RenderedCheck = {
  id: ID,
  description: 'every rendered folder is synced by exactly one Argo CD Application; paths, projects and namespaces they use exist',
  run: (context) => {
    const tree = readArgoCdTree(context);
    const findings: Finding[] = tree.problems.map((problem) => ({ check: ID, file: problem.doc.file, resource: resourceId(problem.doc), message: problem.message, fix: problem.fix }));
    const bootstrap = `${tree.renderedRoot}/bootstrap`;
    const appLabel = (app: AppModel) => (app.generatedBy ? `Application ${app.name} (from ApplicationSet ${app.generatedBy})` : `Application ${app.name}`);
    const onApp = (app: AppModel, message: string, fix: string) => findings.push({ check: ID, file: app.doc.file, resource: resourceId(app.doc), message, fix });
    const ownSources = (app: AppModel) => app.sources.filter((source) => normalizeRepo(source.repoURL) === normalizeRepo(tree.repoURL) && source.path !== undefined && !source.ref);

    for (const app of tree.apps) {
      if (app.project === 'default') onApp(app, `default project: ${appLabel(app)} uses the default project`, 'give it a least-privilege AppProject (nothing runs in default)');
      else if (!tree.projects.has(app.project)) onApp(app, `unknown project: ${appLabel(app)} uses project "${app.project}", which is not rendered`, `render AppProject ${app.project} in argocd/ or use an existing project`);
      for (const source of ownSources(app)) {
        const folder = source.path!.replace(/\/+$/, '');
        if (folder !== tree.renderedRoot && !folder.startsWith(`${tree.renderedRoot}/`)) {
          onApp(app, `outside the tree: ${appLabel(app)} syncs ${folder}, outside ${tree.renderedRoot}`, `sync only folders of ${tree.renderedRoot}`);
          continue;
        }
        if (folder === bootstrap || folder.startsWith(`${bootstrap}/`) || (source.recurse && bootstrap.startsWith(`${folder}/`))) {
          onApp(app, `bootstrap synced: ${appLabel(app)} syncs ${bootstrap}, which is applied from outside Argo CD`, 'sync argocd/ (the root Application) instead; bootstrap/ stays out of Argo CD');
        }
        const present = folderHasFiles(context.root, folder) || [...tree.folders.keys()].some((f) => f === folder || (source.recurse && f.startsWith(`${folder}/`)));
        if (!present) onApp(app, `missing path: ${appLabel(app)} syncs ${folder}, which does not exist`, 'render the folder or remove the Application');
      }
    }

    for (const [folder, docs] of [...tree.folders].sort(([a], [b]) => a.localeCompare(b))) {
      if (!folder.startsWith(`${tree.renderedRoot}/`) || folder === bootstrap || folder.startsWith(`${bootstrap}/`)) continue;
      const owners = tree.apps.filter((app) => ownSources(app).some((source) => syncsFolder(source, folder))).sort((a, b) => a.name.localeCompare(b.name));
      const first = docs[0]!;
      if (owners.length === 0) {
        findings.push({ check: ID, file: folder, resource: `folder ${folder}`, message: `gap: ${folder} (${docs.length} object${docs.length === 1 ? '' : 's'}, e.g. ${resourceId(first)}) is synced by no Application`, fix: 'add an Application (or an ApplicationSet directory) for the folder in argocd/, or render the objects into a synced folder' });
      } else if (owners.length > 1) {
        findings.push({ check: ID, file: folder, resource: `folder ${folder}`, message: `overlap: ${folder} is synced by ${owners.map(appLabel).join(' and ')}`, fix: 'let exactly one Application sync each folder (check recursive sources and directory patterns)' });
      }
      for (const owner of owners.slice(0, 1)) {
        for (const doc of docs) {
          if (!isNamespaced(doc)) continue;
          const namespace = doc.object.metadata.namespace ?? owner.destination.namespace;
          if (namespace && !builtInNamespaces.has(namespace) && !tree.namespaces.has(namespace)) {
            findings.push({ check: ID, file: doc.file, resource: resourceId(doc), message: `namespace not rendered: ${resourceId(doc)} (synced by ${appLabel(owner)}) is in namespace ${namespace}, which no rendered Namespace creates`, fix: `render Namespace ${namespace} in the folder of the Application that owns it` });
          }
        }
      }
    }

    for (const app of tree.apps) {
      const namespace = app.destination.namespace;
      if (namespace && !builtInNamespaces.has(namespace) && !tree.namespaces.has(namespace)) {
        onApp(app, `namespace not rendered: ${appLabel(app)} deploys into namespace ${namespace}, which no rendered Namespace creates`, `render Namespace ${namespace} with the Application's objects (CreateNamespace would hide its labels)`);
      }
    }
    for (const [namespace, docs] of tree.namespaces) {
      if (docs.length > 1) {
        for (const doc of docs.slice(1)) {
          findings.push({ check: ID, file: doc.file, resource: resourceId(doc), message: `overlap: Namespace ${namespace} is rendered ${docs.length} times (${docs.map((d) => d.file).join(', ')})`, fix: 'render each Namespace once, with the Application that owns it' });
        }
      }
    }
    return findings;
  },
};
