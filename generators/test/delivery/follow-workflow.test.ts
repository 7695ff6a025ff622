import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgoWorkflowsClient } from '../../src/delivery/argo-workflows-client.js';
import { followWorkflow, formatDuration, parseDuration, type FollowOptions } from '../../src/delivery/follow-workflow.js';
import { startArgoServer, type ArgoServer, type TemplateScript } from './support/argo-server.js';

const TOKEN = 'fake-token-follow';

const PASSING: TemplateScript = {
  steps: [
    { phase: 'Pending' },
    { phase: 'Running', nodes: [{ name: 'migrate', phase: 'Pending' }] },
    { phase: 'Running', nodes: [{ name: 'migrate', phase: 'Running' }] },
    { phase: 'Running', nodes: [{ name: 'migrate', phase: 'Succeeded' }, { name: 'run-suite', phase: 'Running' }] },
    { phase: 'Running', nodes: [{ name: 'run-suite', phase: 'Running' }] },
    { phase: 'Running', nodes: [{ name: 'run-suite', phase: 'Running' }, { name: 'load', phase: 'Skipped' }] },
    { phase: 'Succeeded', nodes: [{ name: 'run-suite', phase: 'Succeeded' }] },
  ],
};
const HANGING: TemplateScript = { steps: [{ phase: 'Pending' }, { phase: 'Running', nodes: [{ name: 'soak', phase: 'Running' }] }] };

let argo: ArgoServer;
let client: ArgoWorkflowsClient;
beforeAll(async () => {
  argo = await startArgoServer();
  argo.template('integration-tests', PASSING);
  argo.template('soak', HANGING);
  client = new ArgoWorkflowsClient({ server: argo.url, token: TOKEN, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20 } });
});
afterAll(async () => {
  await argo.close();
});
beforeEach(() => {
  argo.behave({ token: TOKEN, tickMs: 20 });
});

async function follow(template: string, extra: Partial<FollowOptions> = {}) {
  const lines: string[] = [];
  const initial = await client.submitFromTemplate('argo', template, { generateName: `${template}-` });
  const outcome = await followWorkflow({
    client,
    namespace: 'argo',
    name: initial.metadata.name,
    label: template,
    initial,
    timeoutMs: 5_000,
    pollIntervalMs: 20,
    signal: new AbortController().signal,
    out: (line) => lines.push(line),
    ...extra,
  });
  return { outcome, lines, name: initial.metadata.name };
}

const EXPECTED_PROGRESS = [
  '  ▸ integration-tests.migrate Running',
  '  ✓ integration-tests.migrate Succeeded',
  '  ▸ integration-tests.run-suite Running',
  '  ○ integration-tests.load Skipped',
  '  ✓ integration-tests.run-suite Succeeded',
];

describe('followWorkflow', () => {
  it('follows the event stream to the end, printing each node phase change once', async () => {
    const { outcome, lines } = await follow('integration-tests');
    expect(outcome.kind).toBe('finished');
    expect(outcome.kind === 'finished' && outcome.workflow.status?.phase).toBe('Succeeded');
    expect(lines).toEqual(EXPECTED_PROGRESS);
  });

  it('falls back to polling when the stream drops mid-run', async () => {
    argo.behave({ token: TOKEN, tickMs: 20, dropStreamAfterEvents: 2 });
    const before = argo.requests.length;
    const { outcome, lines, name } = await follow('integration-tests');
    expect(outcome.kind === 'finished' && outcome.workflow.status?.phase).toBe('Succeeded');
    expect(lines.filter((l) => l.startsWith('  (event stream lost:'))).toHaveLength(1);
    expect(lines.filter((l) => !l.startsWith('  (')).at(-1)).toBe('  ✓ integration-tests.run-suite Succeeded');
    const polls = argo.requests.slice(before).filter((r) => r.method === 'GET' && r.path === `/api/v1/workflows/argo/${name}`);
    expect(polls.length).toBeGreaterThan(0);
  });

  it('polls when the stream is refused', async () => {
    argo.behave({ token: TOKEN, tickMs: 20, streamStatus: 500 });
    const { outcome, lines } = await follow('integration-tests');
    expect(outcome.kind === 'finished' && outcome.workflow.status?.phase).toBe('Succeeded');
    expect(lines[0]).toMatch(/^ {2}\(event stream lost: Argo Server at .* failed watching workflow integration-tests-\w+ with HTTP 500: stream unavailable; polling every 20ms\)$/);
  });

  it('times out on a workflow that does not finish', async () => {
    const { outcome } = await follow('soak', { timeoutMs: 200 });
    expect(outcome.kind).toBe('timeout');
  });

  it('returns as soon as the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const { outcome } = await follow('soak', { signal: controller.signal });
    expect(outcome.kind).toBe('interrupted');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('durations', () => {
  it('parses 90s, 15m, 1h and combinations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
  });

  it('formats them back', () => {
    expect(formatDuration(900_000)).toBe('15m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(0)).toBe('0s');
  });
});
