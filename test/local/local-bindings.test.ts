/**
 * The local runner's pieces for approvals, user handlers and sub-workflows,
 * in-process: how Tasks are bound, the terminal question (over plain
 * streams), the engine's timeouts, and `osop-sfn test` mocks for every kind
 * of Task (approvals, gates, user handlers, sub-workflows, AWS services).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { compile } from '../../lib';
import { approvalAnswerProblem, parseApprovalAnswers, terminalApprover, type ApprovalRequest } from '../../lib/local/approvals';
import { MAX_LOCAL_TIMEOUT_SECONDS, withLocalTimeouts } from '../../lib/local/definition';
import type { CompileReport } from '../../lib/types';

/** Task state → how the report says it runs locally. */
const runners = (report: CompileReport) => Object.fromEntries(report.tasks.map((t) => [t.state, { binding: t.binding, node: t.node, local: t.local }]));
import { loadTests, type LoadedTests } from '../../lib/local/load-tests';
import { approvalNodes, loadLocalWorkflow, userHandlerModules, workflowsOf } from '../../lib/local/local-workflow';
import { buildMockConfig } from '../../lib/local/mock-config';
import { runTestCase } from '../../lib/local/test-runner';
import type { AslDefinition } from '../../lib/types';
import { FIXTURES } from '../helpers/paths';

const graph = (name: string) => path.join(FIXTURES, 'graph', name);
const local = (name: string) => path.join(FIXTURES, 'local', name);
function compiled(file: string) {
  const r = compile(file);
  if (!r.ok || !r.definition || !r.report) throw new Error(`${file} does not compile`);
  return { definition: r.definition, report: r.report };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-local-bindings-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('what each Task state is bound to', () => {
  test('approvals (human nodes and gates), REST calls', () => {
    const { report } = compiled(graph('approval.osop.yaml'));
    expect(runners(report)).toEqual({
      build: { binding: 'rest', node: 'build', local: { kind: 'lambda', handler: 'rest' } },
      approve: { binding: 'approval', node: 'approve', local: { kind: 'callback', answer: 'approval' } },
      'deploy:approval': { binding: 'approval', node: 'deploy', local: { kind: 'callback', answer: 'approval' } },
      deploy: { binding: 'rest', node: 'deploy', local: { kind: 'lambda', handler: 'rest' } },
      notify: { binding: 'rest', node: 'notify', local: { kind: 'lambda', handler: 'rest' } },
    });
  });

  test('a user handler, a service integration, a sub-workflow', () => {
    const { report } = compiled(graph('bindings.osop.yaml'));
    expect(runners(report)).toEqual({
      checkout: { binding: 'custom', node: 'checkout', local: { kind: 'custom', path: 'lambdas/custom/git-checkout.ts' } },
      announce: { binding: 'resource', node: 'announce', local: { kind: 'none' } },
      etl: { binding: 'subworkflow', node: 'etl', local: { kind: 'subworkflow', workflowId: 'etl-pipeline', file: graph('etl-pipeline.osop.yaml') } },
    });
  });

  test('a workflow with its sub-workflows: each compiled once, their approvals and handler modules found', () => {
    const w = loadLocalWorkflow(local('release.osop.yaml'), compiled(local('release.osop.yaml')));
    expect(workflowsOf(w).map((x) => x.report.workflowId)).toEqual(['release', 'package-release']);
    expect(approvalNodes(w)).toEqual([{ node: 'sign_off', workflowId: 'package-release', nested: true }]);
    expect(userHandlerModules(workflowsOf(w))).toEqual([
      { file: local('handlers/git-checkout.ts'), nodes: ['checkout'] },
      { file: local('handlers/announce.ts'), nodes: ['announce'] },
      { file: local('handlers/build.ts'), nodes: ['build'] },
    ]);
  });
});

describe('--approve answers', () => {
  test('NODE=decision[:comment]; a gate by its node id or its state name; the comment may hold colons', () => {
    expect(Object.fromEntries(parseApprovalAnswers(['approve=approved', 'deploy:approval=rejected:freeze: see CHG-1']))).toEqual({
      approve: { decision: 'approved', comment: '' },
      deploy: { decision: 'rejected', comment: 'freeze: see CHG-1' },
    });
  });

  test('on a terminal, the approvals without an answer are asked, so none is missing', () => {
    const nodes = [{ node: 'approve', workflowId: 'w', nested: false }];
    expect(approvalAnswerProblem(nodes, new Map(), true)).toBeUndefined();
    expect(approvalAnswerProblem(nodes, new Map(), false)).toMatch(/^The workflow waits for approval at approve, and there is no terminal/);
    expect(approvalAnswerProblem([], parseApprovalAnswers(['x=approved']), true)).toBe("--approve x=...: no node 'x' waits for an approval. The workflow has no approvals.");
  });
});

describe('the terminal question (plain streams here)', () => {
  const request: ApprovalRequest = { state: 'approve', node: 'approve', workflowId: 'approval', prompt: 'Deploy 1.2.3?', approvers: ['sre'], context: { build: { version: 'sk_live_SECRET' } } };
  function terminal(stop = new AbortController()) {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => (shown += d));
    const interrupted = jest.fn();
    const ask = terminalApprover({ input, output, redact: (t) => t.replace('sk_live_SECRET', '[REDACTED]'), onInterrupt: interrupted, signal: stop.signal });
    return { ask, input, shown: () => shown, interrupted, stop };
  }

  test('shows the request (secrets redacted), re-asks until the answer is a or r, then takes a comment', async () => {
    const t = terminal();
    const answer = t.ask(request);
    t.input.write('maybe\nr\nnot today\n');
    await expect(answer).resolves.toMatchObject({ decision: 'rejected', comment: 'not today', via: 'terminal' });
    expect(t.shown()).toBe(
      "\nApproval needed at 'approve' in workflow approval\n  Deploy 1.2.3?\n  approvers: sre\n  context:   {\"build\":{\"version\":\"[REDACTED]\"}}\n" +
        'Approve or reject? [a/r] Approve or reject? [a/r] Why (the cause, optional): ',
    );
  });

  test('questions of approvals waiting together are asked one after the other', async () => {
    const t = terminal();
    const first = t.ask(request);
    const second = t.ask({ ...request, state: 'deploy:approval', node: 'deploy' });
    t.input.write('a\nok\n');
    await expect(first).resolves.toMatchObject({ decision: 'approved', comment: 'ok' });
    await new Promise((r) => setImmediate(r));
    expect(t.shown()).toContain("Approval needed at 'deploy' (before the node runs)");
    t.input.write('y\n\n');
    await expect(second).resolves.toMatchObject({ decision: 'approved', comment: '' });
  });

  test('the end of input stops the run; the end of the run withdraws the question; its timeout closes it', async () => {
    const eof = terminal();
    const a = eof.ask(request);
    eof.input.end();
    await expect(a).rejects.toMatchObject({ name: 'OSOP.Local.Interrupted' });
    expect(eof.interrupted).toHaveBeenCalledTimes(1);

    const ended = terminal();
    const b = ended.ask(request);
    ended.stop.abort();
    await expect(b).rejects.toMatchObject({ name: 'OSOP.Local.Withdrawn' });
    expect(ended.interrupted).not.toHaveBeenCalled();

    const late = terminal();
    const c = late.ask({ ...request, timeoutSeconds: 0.05 });
    await expect(c).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(late.shown()).toContain('(no answer within 0.05 s: the approval timed out)');
  });
});

test('the engine times Tasks as Step Functions does: no timeout means none, none beyond what a timer holds', () => {
  const definition: AslDefinition = {
    StartAt: 'p',
    TimeoutSeconds: 40 * 24 * 3600,
    States: {
      p: { Type: 'Parallel', Branches: [{ StartAt: 'a', States: { a: { Type: 'Task', Resource: 'x', End: true } } }], Next: 'm' },
      m: { Type: 'Map', ItemProcessor: { StartAt: 'b', States: { b: { Type: 'Task', Resource: 'x', TimeoutSeconds: 30, End: true } } }, Next: 'c' },
      c: { Type: 'Task', Resource: 'x', TimeoutSeconds: 30 * 24 * 3600, Next: 'd' },
      d: { Type: 'Task', Resource: 'x', TimeoutSecondsPath: '$.t', End: true },
    },
  };
  const out = withLocalTimeouts(definition) as any;
  expect(MAX_LOCAL_TIMEOUT_SECONDS).toBe(2147483);
  expect(out.TimeoutSeconds).toBe(MAX_LOCAL_TIMEOUT_SECONDS);
  expect(out.States.p.Branches[0].States.a.TimeoutSeconds).toBe(MAX_LOCAL_TIMEOUT_SECONDS);
  expect(out.States.m.ItemProcessor.States.b.TimeoutSeconds).toBe(30);
  expect(out.States.c.TimeoutSeconds).toBe(MAX_LOCAL_TIMEOUT_SECONDS);
  expect(out.States.d).toEqual(definition.States.d);
  expect((definition.States.p as any).Branches[0].States.a.TimeoutSeconds).toBeUndefined();
});

describe('osop-sfn test: mocks for every kind of Task', () => {
  /** `files` copied into a fresh folder (a workflow and the sub-workflows it links to), `tests` appended to the first. */
  function withTests(files: string[], tests: string): Extract<LoadedTests, { ok: true }> {
    const into = fs.mkdtempSync(path.join(dir, 'w-'));
    for (const f of files) fs.copyFileSync(f, path.join(into, path.basename(f)));
    // The handler modules the workflows name come along: a missing one is a compile error.
    fs.cpSync(path.join(path.dirname(files[0]), 'lambdas'), path.join(into, 'lambdas'), { recursive: true });
    const main = path.join(into, path.basename(files[0]));
    fs.appendFileSync(main, `tests:\n${tests}`);
    const loaded = loadTests(main);
    if (!loaded.ok) throw new Error('the workflow does not compile');
    expect(loaded.problems).toEqual([]);
    return loaded;
  }
  const results = async (loaded: Extract<LoadedTests, { ok: true }>) =>
    Promise.all(loaded.cases.map(async (c) => {
      const r = await runTestCase(c, loaded.compiled.definition, loaded.compiled.report);
      return { id: c.id, error: r.error, failures: r.failures };
    }));

  const approvalTests = `
  - id: approved
    mocks:
      build: { outputs: { version: "1.2.3" } }
      approve: { outputs: { decision: approved, comment: "ship it", approver: alice } }
      "deploy:approval": { outputs: { decision: approved } }
      deploy: { outputs: {} }
    expect:
      path: [build, approve, approve:answer, approve:route, deploy:approval, deploy]
      outputs: { approve: { decision: approved, comment: "ship it", approver: alice } }
  - id: rejected
    mocks:
      build: { outputs: { version: "1.2.3" } }
      approve: { error: OSOP.Approval.Rejected, cause: "not now" }
      notify: { outputs: {} }
    expect:
      nodes: [build, approve, notify]
      outputs: { approve: { decision: rejected, comment: "not now" } }
  - id: decision_only
    mocks:
      build: { outputs: { version: "1.2.3" } }
      approve: { outputs: { decision: rejected } }
      notify: { outputs: {} }
    target_node: approve
    expect: { outputs: { decision: rejected, comment: "", approver: mock } }
  - id: gate_rejected
    mocks:
      build: { outputs: { version: "1.2.3" } }
      approve: { outputs: { decision: approved } }
      "deploy:approval": { error: OSOP.Approval.Rejected, cause: "freeze" }
    expect: { status: failed, error: OSOP.Approval.Rejected, cause: freeze, nodes: [build, approve] }
`;

  test('approvals answer with {decision, comment, approver} (comment and approver filled in) or OSOP.Approval.Rejected; gates by their state name', async () => {
    const loaded = withTests([graph('approval.osop.yaml')], approvalTests);
    expect(await results(loaded)).toEqual(['approved', 'rejected', 'decision_only', 'gate_rejected'].map((id) => ({ id, error: undefined, failures: [] })));
  });

  test('an approval answered without a decision is approved, as SendTaskSuccess by hand is on AWS (a rejection is SendTaskFailure)', async () => {
    const loaded = withTests([graph('approval.osop.yaml')], `
  - id: t
    mocks:
      build: { outputs: { version: "1.2.3" } }
      approve: { outputs: { comment: "?" } }
      "deploy:approval": { outputs: { decision: approved } }
      deploy: { outputs: {} }
    expect:
      nodes: [build, approve, deploy]
      outputs: { approve: { decision: approved, comment: "?" } }
`);
    expect(await results(loaded)).toEqual([{ id: 't', error: undefined, failures: [] }]);
  });

  const bindingTests = `
  - id: all_mocked
    mocks:
      checkout: { outputs: { sha: abc } }
      announce: { outputs: { MessageId: m-1 } }
      etl: { outputs: { load: { rows: 10 } } }
    expect:
      nodes: [checkout, route, announce, etl]
      outputs: { checkout: { sha: abc }, announce: { message_id: m-1 }, etl: { output: { load: { rows: 10 } } } }
  - id: the_service_fails
    mocks:
      checkout: { outputs: { sha: abc } }
      announce: { error: SNS.AuthorizationErrorException, cause: denied }
    expect: { status: failed, error: SNS.AuthorizationErrorException }
`;

  test("user handlers answer with their result; a service with its own result; a sub-workflow with the child's outputs", async () => {
    const loaded = withTests([graph('bindings.osop.yaml'), graph('etl-pipeline.osop.yaml')], bindingTests);
    expect(await results(loaded)).toEqual([
      { id: 'all_mocked', error: undefined, failures: [] },
      { id: 'the_service_fails', error: undefined, failures: [] },
    ]);
  });

  test("a service mock without the field the state reads cannot run", async () => {
    const loaded = withTests([graph('bindings.osop.yaml'), graph('etl-pipeline.osop.yaml')], `
  - id: t
    mocks:
      checkout: { outputs: { sha: abc } }
      announce: { outputs: { message_id: m-1 } }
    expect: { status: succeeded }
`);
    expect((await results(loaded))[0].error).toBe("the mock of 'announce' lacks the output(s) 'MessageId' that the state reads.");
  });

  test('the Step Functions Local mock configuration answers as each integration returns', () => {
    const approval = withTests([graph('approval.osop.yaml')], approvalTests);
    const a = buildMockConfig(approval.cases, approval.compiled.definition, approval.compiled.report).MockedResponses;
    expect(Object.values(a['approved.approve'])[0]).toEqual({ Return: { decision: 'approved', comment: 'ship it', approver: 'alice' } });
    expect(Object.values(a['approved.build'])[0]).toEqual({ Return: { StatusCode: 200, Payload: { version: '1.2.3' } } });
    expect(Object.values(a['rejected.approve'])[0]).toEqual({ Throw: { Error: 'OSOP.Approval.Rejected', Cause: 'not now' } });
    const bindings = withTests([graph('bindings.osop.yaml'), graph('etl-pipeline.osop.yaml')], bindingTests);
    const b = buildMockConfig(bindings.cases, bindings.compiled.definition, bindings.compiled.report).MockedResponses;
    expect(Object.values(b['all_mocked.checkout'])[0]).toEqual({ Return: { StatusCode: 200, Payload: { sha: 'abc' } } });
    expect(Object.values(b['all_mocked.announce'])[0]).toEqual({ Return: { MessageId: 'm-1' } });
    expect(Object.values(b['all_mocked.etl'])[0]).toEqual({ Return: { Status: 'SUCCEEDED', Output: { load: { rows: 10 } } } });
  });
});
