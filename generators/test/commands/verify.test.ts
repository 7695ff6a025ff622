import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { startArgoServer, type ArgoServer } from '../delivery/support/argo-server.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

const TOKEN = 'fake-argo-token-5f2c9e1d';
const ENV = ['ARGO_SERVER', 'ARGO_TOKEN', 'ARGO_SECURE', 'ARGO_BASE_HREF', 'ARGO_INSECURE_SKIP_VERIFY', 'ARGO_CA_FILE'];
const saved = new Map(ENV.map((k) => [k, process.env[k]]));

/** The namespace the rendered WorkflowTemplates live in, and verify's default. */
const NS = 'verification';

let argo: ArgoServer;
let repo: TempRepo;
beforeAll(async () => {
  argo = await startArgoServer();
  argo.template('integration-tests', {
    steps: [
      { phase: 'Pending' },
      { phase: 'Running', nodes: [{ name: 'migrate', phase: 'Running' }] },
      { phase: 'Running', nodes: [{ name: 'migrate', phase: 'Succeeded' }, { name: 'run-suite', phase: 'Running' }] },
      { phase: 'Running', nodes: [{ name: 'run-suite', phase: 'Running' }] },
      { phase: 'Succeeded', nodes: [{ name: 'run-suite', phase: 'Succeeded' }] },
    ],
  }, NS);
  argo.template('failing-tests', {
    steps: [
      { phase: 'Pending' },
      { phase: 'Running', nodes: [{ name: 'run-suite', phase: 'Running' }] },
      { phase: 'Failed', message: 'child "failing-tests.run-suite" failed', nodes: [{ name: 'run-suite', phase: 'Failed', message: 'Error (exit code 1)' }] },
    ],
    logs: { 'run-suite': Array.from({ length: 100 }, (_, i) => `suite output ${i + 1}`) },
  }, NS);
  argo.template('soak', { steps: [{ phase: 'Pending' }, { phase: 'Running', nodes: [{ name: 'soak', phase: 'Running' }] }] }, NS);
  argo.template('db-migrate', { steps: [{ phase: 'Pending' }, { phase: 'Succeeded', nodes: [{ name: 'db-migrate', phase: 'Succeeded' }] }] }, NS);
});
afterAll(async () => {
  await argo.close();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
beforeEach(async () => {
  for (const k of ENV) delete process.env[k];
  process.env['ARGO_SERVER'] = argo.url;
  process.env['ARGO_TOKEN'] = TOKEN;
  argo.behave({ token: TOKEN, tickMs: 25 });
  repo = await tempRepo();
  await repo.write('clusters/staging/cluster.yaml', 'name: staging\n');
});
afterEach(async () => {
  await repo.cleanup();
});

async function verify(args: string[], options: { signal?: AbortSignal; onLine?: (line: string) => void } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['--root', repo.root, 'verify', '--cluster', 'staging', '--poll-interval', '50ms', ...args], {
    out: (l) => {
      out.push(l);
      options.onLine?.(l);
    },
    err: (l) => err.push(l),
    signal: options.signal ?? new AbortController().signal,
  });
  const all = [...out, ...err].join('\n');
  expect(all).not.toContain(TOKEN);
  return { code, out, err, all };
}

function lastSubmit() {
  return argo.requests.filter((r) => r.path === `/api/v1/workflows/${NS}/submit`).at(-1)!;
}

describe('verify', () => {
  it('submits the template, follows the event stream and exits 0 on Succeeded', async () => {
    const { code, out, err } = await verify(['--template', 'integration-tests', '--param', 'suite=smoke', '--param', 'base-url=https://staging.example/?a=b']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const name = out[0]!.match(/^submitted workflow verification\/(integration-tests-\w+) from WorkflowTemplate integration-tests \(timeout 15m\)$/)![1]!;
    expect(out.slice(1)).toEqual([
      `  ${argo.url}/workflows/${NS}/${name}`,
      '  ▸ integration-tests.migrate Running',
      '  ✓ integration-tests.migrate Succeeded',
      '  ▸ integration-tests.run-suite Running',
      '  ✓ integration-tests.run-suite Succeeded',
      expect.stringMatching(new RegExp(`^workflow ${name} Succeeded( in \\d+s)?$`)),
    ]);
    const submit = lastSubmit();
    expect(submit.authorization).toBe(`Bearer ${TOKEN}`);
    expect(submit.body).toMatchObject({
      resourceKind: 'WorkflowTemplate',
      resourceName: 'integration-tests',
      submitOptions: { generateName: 'integration-tests-', parameters: ['suite=smoke', 'base-url=https://staging.example/?a=b'] },
    });
    expect(argo.workflows.get(name)!.metadata.labels['gitops.learning-platform/cluster']).toBe('staging');
    expect(argo.requests.some((r) => r.path === `/api/v1/workflow-events/${NS}` && r.query.get('listOptions.fieldSelector') === `metadata.name=${name}`)).toBe(true);
  });

  it('exits 1 on Failed, printing the failed node and the capped tail of its log', async () => {
    const { code, out, err } = await verify(['--template', 'failing-tests']);
    expect(code).toBe(1);
    expect(out).toContain('  ✗ failing-tests.run-suite Failed: Error (exit code 1)');
    expect(out).toContain('failing-tests.run-suite Failed: Error (exit code 1)');
    const header = out.findIndex((l) => /^ {2}last 40 log lines of pod failing-tests-\w+-run-suite-\d+:$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(out[header + 1]).toBe('  | suite output 61');
    expect(out[header + 40]).toBe('  | suite output 100');
    expect(out.join('\n')).not.toContain('suite output 60\n');
    expect(err.at(-1)).toMatch(/^workflow failing-tests-\w+ Failed( in \d+s)?: child "failing-tests.run-suite" failed$/);
  });

  it('finishes by polling when the event stream drops mid-run', async () => {
    argo.behave({ token: TOKEN, tickMs: 25, dropStreamAfterEvents: 2 });
    const { code, out } = await verify(['--template', 'integration-tests']);
    expect(code).toBe(0);
    expect(out.filter((l) => l.startsWith('  (event stream lost: '))).toHaveLength(1);
    expect(out).toContain('  ✓ integration-tests.run-suite Succeeded');
    expect(out.at(-1)).toMatch(/^workflow integration-tests-\w+ Succeeded/);
  });

  it('stops the workflow and exits 2 on timeout', async () => {
    const { code, err } = await verify(['--template', 'soak', '--timeout', '300ms']);
    expect(code).toBe(2);
    const name = err.at(-1)!.match(/^workflow (soak-\w+) did not finish within 300ms; stopped it\.$/)![1]!;
    expect(argo.stopped).toContain(name);
  });

  it('stops the workflow and exits 130 on Ctrl-C', async () => {
    const controller = new AbortController();
    const { code, err } = await verify(['--template', 'soak'], {
      signal: controller.signal,
      onLine: (line) => {
        if (line.includes('Running')) controller.abort();
      },
    });
    expect(code).toBe(130);
    const name = err.at(-1)!.match(/^interrupted; stopped workflow (soak-\w+)\.$/)![1]!;
    expect(argo.stopped).toContain(name);
  });

  it('explains 401 in terms of ARGO_TOKEN without printing it', async () => {
    process.env['ARGO_TOKEN'] = 'wrong-token-abcdef';
    const { code, err, all } = await verify(['--template', 'integration-tests']);
    expect(code).toBe(2);
    expect(err).toEqual([
      `Argo Server at ${argo.url} refused submitting WorkflowTemplate integration-tests (HTTP 401 Unauthorized): token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/`,
      'hint: ARGO_TOKEN is not accepted by the server (expired or for another cluster); get a fresh token.',
    ]);
    expect(all).not.toContain('wrong-token-abcdef');
  });

  it('explains 403 in terms of the token', async () => {
    argo.behave({ token: TOKEN, forbidden: true });
    const { code, err } = await verify(['--template', 'integration-tests']);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/refused submitting WorkflowTemplate integration-tests \(HTTP 403 Forbidden\)/);
    expect(err[1]).toMatch(/^hint: ARGO_TOKEN's service account lacks the RBAC/);
  });

  it('names a missing WorkflowTemplate', async () => {
    const { code, err } = await verify(['--template', 'nope']);
    expect(code).toBe(2);
    expect(err[0]).toBe('WorkflowTemplate nope not found in namespace verification');
  });

  it('retries 5xx on submit, then succeeds with exactly one workflow', async () => {
    argo.behave({ token: TOKEN, tickMs: 25, submitFailFirst: 1, submitLoseAnswerFirst: 1 });
    const before = argo.workflows.size;
    const { code } = await verify(['--template', 'integration-tests']);
    expect(code).toBe(0);
    expect(argo.workflows.size).toBe(before + 1);
  });

  it('gives up on persistent 5xx with a clear message, without a second submit it could not rule out', async () => {
    argo.behave({ token: TOKEN, alwaysFail: true });
    const before = argo.requests.length;
    const { code, err } = await verify(['--template', 'integration-tests']);
    expect(code).toBe(2);
    const selector = /labelled (\S+) may be running/.exec(err[1] ?? '')?.[1];
    expect(selector).toMatch(/^gitops\.learning-platform\/cluster=staging,gitops\.learning-platform\/verify-id=[0-9a-f]{16}$/);
    expect(err).toEqual([
      `Argo Server at ${argo.url} failed submitting WorkflowTemplate integration-tests (HTTP 500: etcdserver: request timed out) and could not be asked whether the workflow was created (Argo Server at ${argo.url} failed listing workflows with HTTP 500 after 5 attempts: etcdserver: request timed out); not submitting again, so that no second run starts.`,
      `hint: a workflow named integration-tests-… labelled ${selector} may be running: check with \`argo list -n ${NS} -l ${selector}\`, stop it with \`argo stop -n ${NS} -l ${selector}\`.`,
    ]);
    expect(argo.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('refuses bad usage before contacting the server', async () => {
    const before = argo.requests.length;
    expect((await verify(['--template', 'integration-tests', '--timeout', '15'])).err[0]).toBe('--timeout "15" is not a duration (e.g. 90s, 15m, 1h).');
    expect(await verify(['--template', 'integration-tests', '--param', 'novalue'])).toMatchObject({ code: 2, err: ['--param "novalue" must be name=value.'] });
    delete process.env['ARGO_SERVER'];
    expect((await verify(['--template', 'integration-tests'])).err[0]).toMatch(/^ARGO_SERVER is not set/);
    expect(argo.requests.length).toBe(before);
  });

  it('submits to another namespace with --namespace', async () => {
    argo.template('integration-tests', { steps: [{ phase: 'Pending' }, { phase: 'Succeeded', nodes: [{ name: 'run-suite', phase: 'Succeeded' }] }] }, 'argo');
    const { code, out } = await verify(['--template', 'integration-tests', '--namespace', 'argo']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^submitted workflow argo\/integration-tests-\w+ /);
    expect(argo.requests.some((r) => r.path === '/api/v1/workflows/argo/submit')).toBe(true);
  });
});

/**
 * Runs verify in a child process and sends it a real SIGINT (Ctrl-C) once `ready()` holds.
 * Returns its exit code and what it printed.
 */
async function verifyInterrupted(args: string[], ready: () => boolean): Promise<{ code: number | null; out: string[]; err: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'generators/test/support/cli-child.ts'), '--root', repo.root, 'verify', '--cluster', 'staging', ...args], {
    cwd: repoRoot,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    while (!ready()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`verify never got there (exit ${child.exitCode}): ${out}${err}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    const code = await exited;
    const lines = (text: string) => text.split('\n').filter(Boolean);
    expect(`${out}${err}`).not.toContain(TOKEN);
    return { code, out: lines(out), err: lines(err) };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('verify: Ctrl-C (a real SIGINT) while the submit is under way', () => {
  const CHILD = { timeout: 60_000 };
  const submits = () => argo.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/workflows/${NS}/submit`).length;
  const selectorOf = (name: string) => {
    const labels = argo.workflows.get(name)!.metadata.labels;
    return `gitops.learning-platform/cluster=staging,gitops.learning-platform/verify-id=${labels['gitops.learning-platform/verify-id']}`;
  };

  it('stops the workflow the server created before the answer came, and exits 130', CHILD, async () => {
    argo.behave({ token: TOKEN, tickMs: 25, submitAnswerDelayMs: 30_000 });
    const before = new Set(argo.workflows.keys());
    const { code, err } = await verifyInterrupted(['--template', 'soak'], () => argo.workflows.size > before.size);
    const created = [...argo.workflows.keys()].filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    expect(code).toBe(130);
    expect(err).toEqual([`interrupted while submitting; stopped workflow ${created[0]}.`]);
    expect(argo.stopped).toContain(created[0]);
    expect(argo.workflows.get(created[0]!)!.status.phase).toBe('Failed');
  });

  it('prints what may be running and how to stop it when the server cannot be asked', CHILD, async () => {
    argo.behave({ token: TOKEN, tickMs: 25, submitAnswerDelayMs: 30_000, listStatus: 500 });
    const before = new Set(argo.workflows.keys());
    const { code, err } = await verifyInterrupted(['--template', 'soak'], () => argo.workflows.size > before.size);
    const created = [...argo.workflows.keys()].filter((name) => !before.has(name));
    expect(created).toHaveLength(1);
    const selector = selectorOf(created[0]!);
    expect(code).toBe(130);
    expect(err).toEqual([
      `interrupted while submitting WorkflowTemplate soak: a workflow labelled ${selector} may be running in namespace ${NS}, and the Argo Server could not be asked (Argo Server at ${argo.url} failed listing workflows with HTTP 500 after 5 attempts: etcdserver: leader changed).`,
      `  check it with: argo list -n ${NS} -l ${selector}`,
      `  stop it with:  argo stop -n ${NS} -l ${selector}`,
    ]);
    // Nothing was stopped: the message is all a person has, and it names the running workflow.
    expect(argo.stopped).not.toContain(created[0]);
    expect(argo.workflows.get(created[0]!)!.status.phase).toBe('Running');
  });

  it('says no workflow was created when Ctrl-C came before the server created one', CHILD, async () => {
    argo.behave({ token: TOKEN, tickMs: 25, submitHoldMs: 30_000 });
    const before = argo.workflows.size;
    const submitted = submits();
    const { code, err } = await verifyInterrupted(['--template', 'soak'], () => submits() > submitted);
    expect(code).toBe(130);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(`^interrupted while submitting; no workflow labelled gitops\\.learning-platform/cluster=staging,gitops\\.learning-platform/verify-id=[0-9a-f]{16} was created \\(should one appear, stop it with: argo stop -n ${NS} -l gitops\\.learning-platform/cluster=staging,gitops\\.learning-platform/verify-id=[0-9a-f]{16}\\)\\.$`),
    );
    expect(argo.workflows.size).toBe(before);
  });
});

describe('verify: image parameters are pinned like every rendered image', () => {
  it('passes a pinned migration image on to db-migrate', async () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform/db-migrate:2.4.0';
    const { code } = await verify(['--template', 'db-migrate', '--param', 'revision=0123456789abcdef0123456789abcdef01234567', '--param', `migration-image=${image}`]);
    expect(code).toBe(0);
    expect(lastSubmit().body).toMatchObject({ resourceName: 'db-migrate', submitOptions: { parameters: ['revision=0123456789abcdef0123456789abcdef01234567', `migration-image=${image}`] } });
  });

  it('refuses latest, an untagged image and a malformed digest, before contacting the server', async () => {
    const before = argo.requests.length;
    const latest = await verify(['--template', 'db-migrate', '--param', 'migration-image=example.com/db-migrate:latest']);
    expect(latest.code).toBe(2);
    expect(latest.err[0]).toBe('--param migration-image=example.com/db-migrate:latest is not pinned: give a version tag (never latest) or a digest.');
    expect((await verify(['--template', 'db-migrate', '--param', 'migration-image=example.com/db-migrate'])).err[0]).toMatch(/is not pinned/);
    expect((await verify(['--template', 'db-migrate', '--param', 'migration-image=example.com/db-migrate@sha256:abc'])).err[0]).toMatch(/the digest must be sha256: followed by 64 hex digits/);
    expect(argo.requests.length).toBe(before);
  });

  it('requires a digest in a production cluster', async () => {
    await repo.write('clusters/production/cluster.yaml', 'flavor: eks\n');
    const digest = `sha256:${'a'.repeat(64)}`;
    const verifyProduction = async (image: string) => {
      const err: string[] = [];
      const args = ['--root', repo.root, 'verify', '--cluster', 'production', '--poll-interval', '50ms', '--template', 'db-migrate', '--param', `migration-image=${image}`];
      const code = await run(args, { out: () => {}, err: (l) => err.push(l), signal: new AbortController().signal });
      return { code, err };
    };
    const tagged = await verifyProduction('example.com/db-migrate:2.4.0');
    expect(tagged.code).toBe(2);
    expect(tagged.err[0]).toBe('--param migration-image=example.com/db-migrate:2.4.0: production is a production cluster; pin the image by digest (…@sha256:…).');
    expect((await verifyProduction(`example.com/db-migrate:2.4.0@${digest}`)).code).toBe(0);
  });

  it('names the three templates and their parameters in --help', async () => {
    const out: string[] = [];
    await run(['verify', '--help'], { out: (l) => out.push(l), err: (l) => out.push(l), signal: new AbortController().signal });
    const help = out.join('\n');
    for (const text of ['integration-tests', 'load-test', 'db-migrate', 'revision=', 'base-url=', 'vus=', 'duration=', 'migration-image=', 'default: "verification"']) expect(help).toContain(text);
  });
});
