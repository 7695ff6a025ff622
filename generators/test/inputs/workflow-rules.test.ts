import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import type { Cluster } from '../../src/inputs/clusters.js';
import { workflowRules } from '../../src/inputs/workflow-rules.js';
import { tempRepo, type TempRepo } from '../support/temp-repo.js';

/** The rules of `workflows:` over the other inputs, on small hand-made clusters. */

const clusterYaml = [
  'workflows:',
  '  integrationTests:',
  '    services: [frontend, api, broken, checkout]',
  '  dbMigrate:',
  '    database: sessions',
  '',
].join('\n');

function cluster(workflows: Cluster['workflows']): Cluster {
  return { name: 'staging', file: 'clusters/staging/cluster.yaml', workflows } as unknown as Cluster;
}

const integrationTests = { image: { repository: 'x' }, command: ['x'], services: ['frontend', 'api', 'broken', 'checkout'], resources: {}, activeDeadlineSeconds: 60 };
const dbMigrate = { image: { repository: 'x' }, command: ['x'], database: 'sessions', resources: {}, activeDeadlineSeconds: 60 };

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('workflowRules', () => {
  it('names each service the tests cannot call and a database that is not postgres, located in cluster.yaml', async () => {
    repo = await tempRepo();
    await repo.write('clusters/staging/cluster.yaml', clusterYaml);
    // "broken" has a folder whose own input is invalid: its issues are reported with it, not here.
    await repo.write('apps/broken/service.yaml', 'team: x\n');
    const services = [
      { name: 'frontend', ports: [{ name: 'http' }] },
      { name: 'api', ports: [{ name: 'grpc' }, { name: 'metrics' }] },
    ];
    const issues = await workflowRules(
      repo.root,
      [{ cluster: cluster({ integrationTests, dbMigrate } as unknown as Cluster['workflows']), services, infra: [{ name: 'sessions', kind: 'redis' }] }],
      new Map([['sessions', 'redis']]),
    );
    expect(issues.map(formatIssue)).toEqual([
      'clusters/staging/cluster.yaml:3:26 workflows.integrationTests.services.1: service "api" has no port named "http" (ports: grpc, metrics)',
      'clusters/staging/cluster.yaml:3:39 workflows.integrationTests.services.3: no service "checkout" in staging: expected apps/checkout/service.yaml',
      'clusters/staging/cluster.yaml:5:5 workflows.dbMigrate.database: "sessions" is a redis, not a postgres database',
    ]);
  });

  it('leaves an invalid infra file to its own issues, names a missing one, and refuses a service called like the workflows namespace', async () => {
    repo = await tempRepo();
    await repo.write('clusters/staging/cluster.yaml', clusterYaml);
    const run = (declared: Map<string, string | undefined>, services: { name: string; ports: { name: string }[] }[] = []) =>
      workflowRules(repo!.root, [{ cluster: cluster({ dbMigrate } as unknown as Cluster['workflows']), services, infra: [] }], declared);
    expect(await run(new Map([['sessions', undefined]]))).toEqual([]);
    expect((await run(new Map())).map(formatIssue)).toEqual(['clusters/staging/cluster.yaml:5:5 workflows.dbMigrate.database: no resource "sessions": expected infra/sessions.yaml']);
    const clash = await run(new Map([['sessions', 'postgres']]), [{ name: 'verification', ports: [{ name: 'http' }] }]);
    expect(clash.map((issue) => issue.message)).toEqual(['service "verification" would share the workflows\' namespace verification; rename the service']);
  });

  it('says nothing about a cluster without workflows', async () => {
    repo = await tempRepo();
    expect(await workflowRules(repo.root, [{ cluster: cluster(undefined), services: [], infra: [] }], new Map())).toEqual([]);
  });
});
