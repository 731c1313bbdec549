/**
 * The quotas AWS enforces and aws-local-stepfunctions does not: 256 KiB of data per state and per
 * Task payload (States.DataLimitExceeded, which no Catch sees, States.ALL included) and 25,000
 * events of history per execution. Compiled workflows, the real REST handler, a server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { HISTORY_EVENT_LIMIT, MAX_FAIL_CAUSE_CHARS, PAYLOAD_LIMIT_BYTES } from '../../lib/contract/aws-quotas';
import { definitionLimitProblems, intrinsicNesting } from '../../lib/emit/aws-limits';
import { AwsLimits } from '../../lib/local/aws-limits';
import { startLocalExecution } from '../../lib/local/engine';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const size = Number(/\/export\/(\d+)/.exec(req.url!)?.[1] ?? '1') * 1024;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ blob: 'x'.repeat(size) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function compiled(source: string) {
  const r = compile('limits.osop.yaml', { source });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r;
}

// Two downloads, each under the REST handler's own 200 KiB output cap; together over the state's 256 KiB.
const download = (kib: number) => `osop_version: "1.0"
id: download
name: Download
nodes:
  - { id: fetch_a, type: api, runtime: { url: "https://files.example.com/export/${kib}", method: GET }, outputs: [blob] }
  - { id: fetch_b, type: api, runtime: { url: "https://files.example.com/export/${kib}", method: GET }, outputs: [blob] }
  - { id: recover, type: system, subtype: router }
  - { id: done, type: system, subtype: router }
edges:
  - { from: fetch_a, to: fetch_b }
  - { from: fetch_b, to: done }
  - { from: fetch_b, to: recover, mode: fallback }
`;

async function runDownload(kib: number) {
  const r = compiled(download(kib));
  return runLocally({ definition: r.definition!, report: r.report!, input: {}, fast: true, routes: { 'https://files.example.com': base } });
}

test('data under 256 KiB passes', async () => {
  const o = await runDownload(100);
  expect(o.status).toBe('SUCCEEDED');
  expect(statesEntered(o.events)).toContain('done');
});

test('a state output over 256 KiB fails the execution with States.DataLimitExceeded, which the fallback (States.ALL) does not catch', async () => {
  const o = await runDownload(150);
  expect([o.status, o.error]).toEqual(['FAILED', 'States.DataLimitExceeded']);
  expect(o.cause).toMatch(/the output of state 'fetch_b' is \d+ bytes, over the 262144-byte \(256 KiB\) limit/);
  expect(statesEntered(o.events)).not.toContain('recover');
  expect(statesEntered(o.events)).not.toContain('done');
  expect(o.events.at(-1)).toMatchObject({ kind: 'failed', state: 'fetch_b', error: 'States.DataLimitExceeded' });
});

test('a Task result over 256 KiB is refused before the state sees it', () => {
  let stopped = 0;
  const limits = new AwsLimits(() => stopped++);
  expect(limits.checkTaskResult('fetch', { Payload: { blob: 'x'.repeat(PAYLOAD_LIMIT_BYTES - 100) } })).toBe(true);
  expect(limits.checkTaskResult('fetch', { Payload: { blob: 'x'.repeat(PAYLOAD_LIMIT_BYTES) } })).toBe(false);
  expect(stopped).toBe(1);
  expect(limits.violation).toMatchObject({ state: 'fetch', error: 'States.DataLimitExceeded', cause: expect.stringContaining("the result of Task 'fetch'") });
});

test('an execution input over 256 KiB fails at its first state', async () => {
  const r = compiled(download(1));
  const o = await runLocally({ definition: r.definition!, report: r.report!, input: { note: 'y'.repeat(PAYLOAD_LIMIT_BYTES) }, fast: true, routes: { 'https://files.example.com': base } });
  expect([o.status, o.error]).toEqual(['FAILED', 'States.DataLimitExceeded']);
  expect(o.cause).toMatch(/execution input is \d+ bytes/);
  expect(o.events).toEqual([]);
});

test('a loop that would write more than 25,000 history events fails the execution there', async () => {
  const r = compiled(`osop_version: "1.0"
id: spin
name: Spin
nodes:
  - { id: poll, type: system, subtype: router }
  - { id: check, type: system, subtype: router }
edges:
  - { from: poll, to: check }
  - { from: check, to: poll, mode: loop, when: "true", x-sfn: { max_iterations: 10000 } }
`);
  const o = await runLocally({ definition: r.definition!, report: r.report!, input: {}, fast: true });
  expect([o.status, o.error]).toEqual(['FAILED', 'States.Runtime']);
  expect(o.cause).toMatch(/history reached 25000 events/);
  // Each round enters a few Pass and Choice states (two events each): the run stopped near 25,000 events, far from its bound.
  const rounds = statesEntered(o.events).filter((s) => s === 'poll').length;
  const events = statesEntered(o.events).length * 2;
  expect(events).toBeGreaterThan(24_900);
  expect(events).toBeLessThanOrEqual(25_001);
  expect(rounds).toBeLessThan(10_000);
});

test('the history count follows what AWS writes per state kind', () => {
  let stopped = 0;
  const limits = new AwsLimits(() => stopped++, { historyEvents: 10 });
  limits.observe({ type: 'ExecutionStarted' }); // 1
  limits.observe({ type: 'StateEntered', state: { name: 't', type: 'Task' } }); // TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded: 5
  limits.observe({ type: 'StateExited', state: { name: 't', type: 'Task' } }); // 6
  limits.observe({ type: 'StateEntered', state: { name: 'm', type: 'Map' } }); // MapStateEntered, MapStateStarted: 8
  limits.observe({ type: 'MapIterationStarted' }); // 9
  limits.observe({ type: 'MapIterationSucceeded' }); // 10
  expect([stopped, limits.violation]).toEqual([0, undefined]);
  limits.observe({ type: 'StateExited', state: { name: 'm', type: 'Map' } }); // 12
  expect(stopped).toBe(1);
  expect(limits.violation).toMatchObject({ state: 'm', error: 'States.Runtime' });
  expect(HISTORY_EVENT_LIMIT).toBe(25_000);
});

describe('what CreateStateMachine refuses', () => {
  const machine = (states: Record<string, unknown>) => ({ StartAt: Object.keys(states)[0], States: states });
  const nested = (depth: number) => `${'States.StringToJson('.repeat(depth)}$.x${')'.repeat(depth)}`;

  test('intrinsic functions nested more than 10 deep, wherever the field is (Parallel branches too); quoted parentheses do not count', () => {
    expect(intrinsicNesting(nested(10))).toBe(10);
    expect(intrinsicNesting("States.Format('((((((((((( {}', $.x)")).toBe(1);
    const ok = machine({ a: { Type: 'Pass', Parameters: { 'v.$': nested(10) }, End: true } });
    expect(definitionLimitProblems(ok)).toEqual([]);
    const deep = machine({ p: { Type: 'Parallel', Branches: [machine({ b: { Type: 'Pass', Parameters: { deep: { 'v.$': nested(11) } }, End: true } })], End: true } });
    expect(definitionLimitProblems(deep)).toEqual([{ state: 'b', kind: 'intrinsic', message: "Field 'v.$' of state 'b' nests intrinsic functions 11 deep; Step Functions accepts at most 10." }]);
  });

  test('a Fail Cause over 32,768 characters and a state name over 80', () => {
    const def = machine({ ['n'.repeat(81)]: { Type: 'Fail', Error: 'E', Cause: 'c'.repeat(MAX_FAIL_CAUSE_CHARS + 1) } });
    expect(definitionLimitProblems(def).map((p) => p.kind).sort()).toEqual(['cause', 'name']);
    expect(definitionLimitProblems(machine({ f: { Type: 'Fail', Error: 'E', Cause: 'c'.repeat(MAX_FAIL_CAUSE_CHARS) } }))).toEqual([]);
  });

  test('the local engine refuses such a definition before anything runs', () => {
    const def = machine({ a: { Type: 'Pass', Parameters: { 'v.$': nested(11) }, End: true } });
    expect(() => startLocalExecution(def as never, { x: '1' }, { handlers: {}, fast: true, executionArn: 'arn:aws:states:local:0:execution:m:e', executionName: 'e' })).toThrow(/Step Functions would refuse this definition: Field 'v\.\$' of state 'a' nests intrinsic functions 11 deep/);
  });
});

describe('a wait_any join carries the winner through a Fail Cause (at most 32,768 characters)', () => {
  const r = compile(require.resolve('../fixtures/graph/wait-any.osop.yaml'));
  const invoke = (payload: unknown) => async () => ({ Payload: payload, StatusCode: 200 });
  const down = async () => {
    throw Object.assign(new Error('down'), { name: 'OSOP.Http.Transient' });
  };
  const run = (answer: string) =>
    runLocally({ definition: r.definition!, report: r.report!, input: {}, fast: true, handlers: { ask: invoke({}), mirror_a: down, mirror_b: invoke({ answer }), use: invoke({}) } });

  test('a winner that fits goes on to the join', async () => {
    const o = await run('x'.repeat(30_000));
    expect(o.status).toBe('SUCCEEDED');
    expect(statesEntered(o.events)).toContain('use');
  });

  test('past the cap the execution fails with States.Runtime naming the Fail state, as it cannot be read back on AWS', async () => {
    const o = await run('x'.repeat(40_000));
    expect([o.status, o.error]).toEqual(['FAILED', 'States.Runtime']);
    expect(o.cause).toMatch(/The Cause of Fail state 'ask:won-2' is \d+ characters, over the 32768/);
    expect(statesEntered(o.events)).not.toContain('use');
  });
});
