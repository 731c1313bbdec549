/**
 * Each construct of the OSOP graph model, from a fixture workflow: it
 * compiles, passes both ASL validators, and runs on the local engine with
 * stub handlers along the expected path to the expected end.
 */
import { fillUrl } from '../../lambdas/rest/target';
import * as path from 'node:path';
import { compile } from '../../lib';
import { expectValidAsl } from '../helpers/asl';
import { fails, runDefinition, type Stub } from '../helpers/engine';
import { FIXTURES } from '../helpers/paths';

function compiled(name: string) {
  const r = compile(path.join(FIXTURES, 'graph', name));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expectValidAsl(r.definition);
  return r;
}

const ok = (value: unknown = {}): Stub => () => value;
const before = (entered: string[], a: string, b: string) => entered.indexOf(a) >= 0 && entered.indexOf(a) < entered.indexOf(b);

describe('parallel fork and join (wait_all)', () => {
  const r = compiled('parallel-join.osop.yaml');
  it('lowers to a Parallel state whose branches end at the join', () => {
    const p = (r.definition!.States as any)['start:parallel'];
    expect(p.Type).toBe('Parallel');
    expect(p.Branches.map((b: any) => b.StartAt)).toEqual(['search-web', 'search_code']);
    expect(Object.keys(p.Branches[1].States)).toEqual(['search_code', 'rank']);
    expect(p.Next).toBe('merge');
  });
  it('runs both branches, then the join sees every branch output', async () => {
    const run = await runDefinition(r.definition, {
      start: ok({ ticket: 'T1' }),
      'search-web': ok({ hits: 3 }),
      search_code: ok({ hits: 5 }),
      rank: ok({ best: 'x.ts' }),
      merge: ok({ summary: 'done' }),
    });
    expect(run.error).toBeUndefined();
    expect(run.entered[0]).toBe('osop:init'); // a fork at the entry: the set-up state stays
    expect(before(run.entered, 'start', 'start:parallel')).toBe(true);
    for (const s of ['search-web', 'search_code', 'rank']) expect(before(run.entered, s, 'merge')).toBe(true);
    expect(fillUrl(run.calls['search-web'][0].request.url, run.calls['search-web'][0].request.urlValues)).toBe('https://api.example.com/web?q=T1');
    expect(run.calls.merge[0].request.body).toEqual({ web: 3, code: 'x.ts' });
    expect(run.output).toMatchObject({ start: { ticket: 'T1' }, search_web: { hits: 3 }, rank: { best: 'x.ts' }, merge: { summary: 'done' } });
  });
});

describe('parallel join with wait_any', () => {
  const r = compiled('wait-any.osop.yaml');
  it('continues with the branch that finishes when the other fails', async () => {
    const run = await runDefinition(r.definition, { ask: ok(), mirror_a: fails('OSOP.Http.Transient', 'down'), mirror_b: ok({ answer: 42 }), use: ok() });
    expect(run.error).toBeUndefined();
    expect(run.entered).toContain('ask:won-2');
    expect(run.entered).toContain('ask:join');
    expect(run.entered[run.entered.length - 1]).toBe('use');
    expect(run.output.mirror_b).toEqual({ answer: 42 });
    expect(run.output.mirror_a).toBeUndefined();
  });
  it('fails with OSOP.Join.NoBranchSucceeded when every branch fails', async () => {
    const run = await runDefinition(r.definition, { ask: ok(), mirror_a: fails('OSOP.Http.Rejected'), mirror_b: fails('OSOP.Http.Rejected'), use: ok() });
    expect(run.error?.name).toBe('OSOP.Join.NoBranchSucceeded');
    expect(run.calls.use).toHaveLength(0);
  });
});

describe('for-each loop (Map)', () => {
  const r = compiled('for-each.osop.yaml');
  it('lowers the body (target and its chain) into a Map over the list', () => {
    const m = (r.definition!.States as any)['fetch:for-each'];
    expect(m.Type).toBe('Map');
    expect(m.ItemsPath).toBe('$.outputs.fetch.rows');
    expect(Object.keys(m.ItemProcessor.States)).toEqual(['personalise', 'send']);
    expect(m.Next).toBe('report');
  });
  it('runs the body once per item with the item in scope, then continues', async () => {
    const rows = [{ name: 'Ada', email: 'ada@example.com' }, { name: 'Bob', email: 'bob@example.com' }];
    const run = await runDefinition(r.definition, {
      fetch: ok({ rows }),
      personalise: (p) => ({ text: `Hi ${p.instruction.replace('Write to ', '')}`, model: 'm', stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }),
      send: ok(),
      report: ok(),
    });
    expect(run.error).toBeUndefined();
    expect(run.calls.send.map((p) => p.request.body).sort((a, b) => a.n - b.n)).toEqual([
      { to: 'ada@example.com', text: 'Hi Ada', n: 0 },
      { to: 'bob@example.com', text: 'Hi Bob', n: 1 },
    ]);
    expect(run.entered[run.entered.length - 1]).toBe('report');
    expect(run.calls.report).toHaveLength(1);
  });
  it('refuses a reference to a per-item output after the loop', () => {
    const src = require('node:fs').readFileSync(path.join(FIXTURES, 'graph', 'for-each.osop.yaml'), 'utf8').replace('count: "${fetch.rows}"', 'count: "${send.x}"');
    const bad = compile('for-each.osop.yaml', { source: src.replace("runtime:\n      method: POST\n      url: \"https://api.example.com/send\"", "outputs: [x]\n    runtime:\n      method: POST\n      url: \"https://api.example.com/send\"") });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toContain('OSOP3020');
  });
});

describe('switch edges', () => {
  const r = compiled('switch.osop.yaml');
  it('become one Choice with a rule per case and the default', () => {
    const c = (r.definition!.States as any)['classify:route'];
    expect(c.Choices).toEqual([
      { Variable: '$.outputs.classify.intent', StringEquals: 'billing', Next: 'billing' },
      { Variable: '$.outputs.classify.intent', StringEquals: 'technical', Next: 'tech' },
    ]);
    expect(c.Default).toBe('other');
  });
  it.each([
    ['billing', 'billing'],
    ['technical', 'tech'],
    ['sales', 'other'],
  ])('intent %s goes to %s, then log', async (intent, target) => {
    const run = await runDefinition(r.definition, { classify: ok({ intent }), billing: ok(), tech: ok(), other: ok(), log: ok() });
    expect(run.entered).toEqual(['classify', 'classify:route', target, 'log']);
  });
});

describe('error and timeout edges', () => {
  const r = compiled('error-timeout.osop.yaml');
  it('puts the timeout catch first, then the error routing', () => {
    const t = (r.definition!.States as any).charge;
    expect(t.Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
      [['States.Timeout', 'OSOP.Http.Timeout'], 'slow'],
      [['States.ALL'], 'charge:on-error'],
    ]);
  });
  it.each([
    ['a decline', fails('OSOP.Http.Rejected', 'card_declined'), 'declined'],
    ['another error', fails('OSOP.Config', 'bad'), 'broken'],
    ['a timeout', fails('States.Timeout', 'took too long'), 'slow'],
  ])('%s takes its edge', async (_what, stub, target) => {
    const run = await runDefinition(r.definition, { charge: stub, declined: ok(), broken: ok(), slow: ok(), done: ok() });
    expect(run.error).toBeUndefined();
    expect(run.entered[run.entered.length - 1]).toBe(target);
    expect(run.calls.done).toHaveLength(0);
  });
});

describe('human approval and approval gates', () => {
  const r = compiled('approval.osop.yaml');
  const states = r.definition!.States as any;
  it('waits for a task token and keeps the decision as outputs', () => {
    expect(states.approve.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(states.approve.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(states.approve.TimeoutSeconds).toBe(4 * 3600);
    expect(states['deploy:approval'].TimeoutSeconds).toBe(3600);
    expect(r.report!.waitsForCallback).toBe(true);
    expect(r.report!.approvals.map((a) => a.node).sort()).toEqual(['approve', 'deploy']);
  });
  it('approved: the gate is passed too, and deploy runs', async () => {
    const decision = { decision: 'approved', comment: 'ship it', approver: 'alice' };
    const run = await runDefinition(r.definition, { build: ok({ version: '1.2.3' }), approve: ok(decision), 'deploy:approval': ok(decision), deploy: ok(), notify: ok() });
    expect(run.entered).toEqual(['build', 'approve', 'approve:answer', 'approve:route', 'deploy:approval', 'deploy']);
    expect(run.calls.approve[0].approvers).toEqual(['release-manager']);
  });
  it('rejected (SendTaskFailure): routes on the decision to notify', async () => {
    const run = await runDefinition(r.definition, { build: ok({ version: '1.2.3' }), approve: fails('OSOP.Approval.Rejected', 'not today'), deploy: ok(), notify: ok() });
    expect(run.entered).toEqual(['build', 'approve', 'approve:rejected', 'approve:rejected-comment', 'approve:route', 'notify']);
    expect(run.calls.notify[0].request.body).toEqual({ why: 'not today' });
  });
  it('a rejected gate fails the execution', async () => {
    const decision = { decision: 'approved', comment: '', approver: 'alice' };
    const run = await runDefinition(r.definition, { build: ok({ version: '1' }), approve: ok(decision), 'deploy:approval': fails('OSOP.Approval.Rejected', 'no'), deploy: ok() });
    expect(run.error?.name).toBe('OSOP.Approval.Rejected');
    expect(run.calls.deploy).toHaveLength(0);
  });
});

describe('bounded loop edge', () => {
  const r = compiled('loop.osop.yaml');
  it('repeats while the condition holds', async () => {
    const run = await runDefinition(r.definition, { poll: (_p, n) => ({ status: n < 3 ? 'pending' : 'done' }), finish: ok() });
    expect(run.error).toBeUndefined();
    expect(run.calls.poll).toHaveLength(3);
    expect(run.calls.poll.map((p) => p.attempt)).toEqual([0, 1, 2]);
    expect(run.entered[run.entered.length - 1]).toBe('finish');
  });
  it('stops at its bound with OSOP.LoopExhausted', async () => {
    const run = await runDefinition(r.definition, { poll: ok({ status: 'pending' }), finish: ok() });
    expect(run.error?.name).toBe('OSOP.LoopExhausted');
    expect(run.calls.poll).toHaveLength(4);
  });
});

describe('explicit bindings, routing nodes and sub-workflows', () => {
  const r = compiled('bindings.osop.yaml');
  const states = r.definition!.States as any;
  it('binds a user handler, a service integration, a Pass and a child workflow', () => {
    expect(states.checkout.Parameters.FunctionName).toBe('${Handler_checkout}');
    expect(states.route.Type).toBe('Pass');
    expect(states.announce.Resource).toBe('arn:aws:states:::sns:publish');
    expect(states.announce.Parameters).toEqual({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:releases', 'Message.$': "States.Format('built {}', $.outputs.checkout.sha)" });
    expect(states.etl.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(states.etl.Parameters.StateMachineArn).toBe('${Workflow_etl_pipeline}');
    expect(r.report).toMatchObject({
      customHandlers: [{ node: 'checkout', path: 'lambdas/custom/git-checkout.ts', substitution: 'Handler_checkout' }],
      serviceIntegrations: [{ node: 'announce', resource: 'arn:aws:states:::sns:publish', permissions: [{ actions: ['sns:Publish'], resources: ['arn:aws:sns:us-east-1:123456789012:releases'] }] }],
      subWorkflows: [{ node: 'etl', workflowId: 'etl-pipeline', substitution: 'Workflow_etl_pipeline' }],
    });
  });
  it('runs through them in order', async () => {
    const run = await runDefinition(r.definition, { checkout: ok({ sha: 'abc' }), announce: ok({ MessageId: 'm-1' }), etl: ok({ Output: { load: { rows: 10 } } }) });
    expect(run.error).toBeUndefined();
    // checkout's handler is given the earlier outputs ($.outputs), so the set-up state stays.
    expect(run.entered).toEqual(['osop:init', 'checkout', 'route', 'announce', 'etl']);
    expect(run.calls.announce[0]).toEqual({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:releases', Message: 'built abc' });
    expect(run.calls.etl[0].Input).toMatchObject({ commit: 'abc', mode: 'full' });
    expect(run.output).toMatchObject({ announce: { message_id: 'm-1' }, etl: { output: { load: { rows: 10 } } } });
  });
});

describe('sub-workflow linking', () => {
  it('reports the child workflow file for deployment and local runs', () => {
    const r = compile(path.join(FIXTURES, 'graph', 'bindings.osop.yaml'));
    expect(r.report!.subWorkflows[0].file).toBe(path.join(FIXTURES, 'graph', 'etl-pipeline.osop.yaml'));
  });
  it('refuses workflows that start each other', () => {
    const r = compile(path.join(FIXTURES, 'subworkflow-cycle', 'parent.osop.yaml'));
    expect(r.ok).toBe(false);
    const e = r.diagnostics.find((d) => d.code === 'OSOP3022')!;
    expect(e.message).toBe('Workflows start each other in a cycle: parent → child → parent.');
    expect(e.line).toBe(8);
  });
  it('refuses an unknown workflow id with a suggestion', () => {
    const src = require('node:fs').readFileSync(path.join(FIXTURES, 'graph', 'bindings.osop.yaml'), 'utf8').replace('workflow_ref: etl-pipeline', 'workflow_ref: etl-pipelin');
    const r = compile(path.join(FIXTURES, 'graph', 'bindings.osop.yaml'), { source: src });
    const e = r.diagnostics.find((d) => d.code === 'OSOP3021')!;
    expect(e.hint).toBe("Did you mean 'etl-pipeline'?");
  });
});

describe('approval requests', () => {
  it('interpolate earlier outputs into the prompt and retry a failed publication', async () => {
    const r = compiled('approval.osop.yaml');
    const approve = (r.definition!.States as any).approve;
    expect(approve.Parameters.Payload['prompt.$']).toBe("States.Format('Deploy {} to production?', $.outputs.build.version)");
    expect(approve.Retry[0].ErrorEquals).toEqual(['OSOP.Http.Transient']);
    const decision = { decision: 'approved', comment: '', approver: 'alice' };
    const run = await runDefinition(r.definition, { build: ok({ version: '1.2.3' }), approve: ok(decision), 'deploy:approval': ok(decision), deploy: ok() });
    expect(run.calls.approve[0].prompt).toBe('Deploy 1.2.3 to production?');
  });
});

describe('constructs refused precisely', () => {
  const api = (id: string) => `  - id: ${id}\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/${id}" }\n`;
  const wf = (nodes: string[], edges: string) => `osop_version: "1.1"\nid: x\nname: X\nnodes:\n${nodes.map(api).join('')}edges:\n${edges}`;
  const errors = (src: string) => compile('x.osop.yaml', { source: src }).diagnostics.filter((d) => d.severity === 'error');

  it('an event edge', () => {
    const e = errors(wf(['a', 'b'], '  - { from: a, to: b, mode: event, when: "true" }\n'));
    expect(e.map((d) => d.code)).toEqual(['OSOP5001']);
    expect(e[0].message).toMatch(/event edges .* are not supported \(edge a → b\)/);
    expect(e[0].hint).toMatch(/human node|trigger/);
  });
  it('wait_n without a join_count, naming the join', () => {
    const e = errors(wf(['a', 'b', 'c', 'd'], '  - { from: a, to: b, mode: parallel }\n  - { from: a, to: c, mode: parallel }\n  - { from: b, to: d, join_mode: wait_n }\n  - { from: c, to: d }\n'));
    expect(e.map((d) => d.code)).toEqual(['OSOP5001']);
    expect(e[0].message).toMatch(/join_mode wait_n at 'd' needs join_count/);
  });
  it('a spawn of several copies', () => {
    const e = errors(wf(['a', 'b', 'c', 'd'], '  - { from: a, to: b, mode: spawn, spawn_count: 3 }\n  - { from: a, to: c, mode: spawn }\n  - { from: b, to: d }\n  - { from: c, to: d }\n'));
    expect(e.map((d) => d.code)).toContain('OSOP5001');
    expect(e.find((d) => d.code === 'OSOP5001')!.message).toMatch(/asks for 3 copies of 'b'/);
  });
  it('a join that does not nest, naming the nodes and edges', () => {
    // a forks to b and c; b forks again to d and e; c meets d at f before everything joins at g.
    const e = errors(wf(['a', 'b', 'c', 'd', 'e', 'f', 'g'], '  - { from: a, to: b, mode: parallel }\n  - { from: a, to: c, mode: parallel }\n  - { from: b, to: d, mode: parallel }\n  - { from: b, to: e, mode: parallel }\n  - { from: c, to: f }\n  - { from: d, to: f }\n  - { from: e, to: g }\n  - { from: f, to: g }\n'));
    expect(e.map((d) => d.code)).toContain('OSOP3018');
    const d = e.find((x) => x.code === 'OSOP3018')!;
    expect(d.message).toMatch(/meet at 'f' \(edges c → f, d → f\)/);
  });
  it('a for-each body that branches', () => {
    const src = `osop_version: "1.1"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/a" }\n    outputs: [items]\n${api('b')}${api('c')}${api('d')}edges:\n  - { from: a, to: b, mode: loop, for_each: "a.items", iterator_var: it }\n  - { from: b, to: c, mode: conditional, when: "loop.it == 1" }\n  - { from: b, to: d }\n`;
    const e = errors(src);
    expect(e.map((d) => d.code)).toContain('OSOP3017');
  });
});
