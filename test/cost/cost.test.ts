/**
 * `osop-sfn cost`: the transitions counted on the definition equal the
 * transitions of local runs of the same paths, for the seed and every graph
 * fixture. No count is written down here: the lowering changes them, and
 * the test holds the two countings equal, whatever they are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '../../lib';
import { BUILT_IN_PRICES, CostInputError, PriceError, costPaths, estimateCost, pricesFor, readPrices } from '../../lib/cost';
import { verifyPaths } from '../../lib/cost/verify';
import { testScenarios } from '../../lib/cli/cost';
import { FIXTURES, SEED, SHARED } from '../helpers/paths';

const SHARED_SEED = path.join(SHARED, 'seed', 'ex-sop-stripe-payment.osop.yaml');
const fixtures = (dir: string) =>
  fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.osop.yaml'))
    .map((f) => path.join(FIXTURES, dir, f));
const FILES = [SEED, ...(fs.existsSync(SHARED_SEED) ? [SHARED_SEED] : []), ...fixtures('graph'), ...fixtures('local')];

function compiled(file: string, source?: string) {
  const r = compile(file, source === undefined ? {} : { source });
  if (!r.ok || !r.definition || !r.report) throw new Error(`${file} does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { definition: r.definition, report: r.report };
}

describe.each(FILES.map((f) => [path.relative(path.join(FIXTURES, '..', '..'), f), f]))('%s', (_name, file) => {
  test('every path counted on the definition enters as many states, retries included, and ends as the local run does', async () => {
    const { definition, report } = compiled(file);
    const skipped: { id: string; reason: string }[] = [];
    const paths = costPaths(definition, testScenarios(file), skipped);
    expect(skipped).toEqual([]);
    expect(paths[0].kind).toBe('happy');
    const v = await verifyPaths(definition, report, paths);
    expect(v.filter((x) => !x.agrees)).toEqual([]);
    for (const x of v) expect(x.ran).toBe(x.counted);
  }, 60_000);
});

test("the workflow's tests: each case is a path, counted as it runs", async () => {
  const { definition } = compiled(SEED);
  const scenarios = testScenarios(SEED);
  expect(scenarios.length).toBeGreaterThanOrEqual(3);
  const paths = costPaths(definition, scenarios).filter((p) => p.kind === 'test');
  expect(paths.map((p) => p.id)).toEqual(scenarios.map((s) => `test:${s.id}`));
  const happy = costPaths(definition)[0];
  // The seed's happy_path case takes the path the walk calls happy.
  expect(paths.find((p) => p.id === 'test:happy_path')!.walk.entered).toEqual(happy.walk.entered);
  // An answer that does not fit the definition leaves the case out, with why.
  const skipped: { id: string; reason: string }[] = [];
  costPaths(definition, [{ id: 'short', label: 'test short', spec: { answers: { create_customer: { calls: [{ outputs: { customer_id: 'c' } }] } }, input: {} } }], skipped);
  expect(skipped).toEqual([{ id: 'short', reason: "'create_intent' is called but the test has no answer for it" }]);
});

describe('the paths that matter', () => {
  test('the seed: happy, a retry (one transition more), a fallback round and the exhausted bound', () => {
    const { definition } = compiled(SEED);
    const paths = costPaths(definition);
    const byKind = (k: string) => paths.filter((p) => p.kind === k);
    const happy = byKind('happy')[0].walk;
    expect(happy.status).toBe('SUCCEEDED');
    expect(happy.calls.map((c) => c.state)).toEqual(['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt']);
    const retry = byKind('retry')[0].walk;
    expect(retry.transitions).toBe(happy.transitions + 1);
    expect(retry.retries).toBe(1);
    const [round] = byKind('error');
    expect(round.id).toBe('error:confirm_payment:OSOP.Http.Rejected');
    expect(round.walk.status).toBe('SUCCEEDED');
    expect(round.walk.calls.filter((c) => c.state === 'create_intent')).toHaveLength(2);
    const [exhausted] = byKind('exhausted');
    expect(exhausted.walk.error).toBe('OSOP.FallbackExhausted');
    // 3 rounds after the first failure: the round's cost three times over the happy path's share
    expect(exhausted.walk.calls.filter((c) => c.state === 'confirm_payment')).toHaveLength(4);
  });

  test('a loop: one more round, and rounds until its bound', () => {
    const { definition } = compiled(path.join(FIXTURES, 'graph', 'loop.osop.yaml'));
    const paths = costPaths(definition);
    const loop = paths.find((p) => p.kind === 'loop')!;
    const happy = paths[0];
    expect(loop.walk.transitions).toBeGreaterThan(happy.walk.transitions);
    const exhausted = paths.find((p) => p.kind === 'loop-exhausted')!;
    expect(exhausted.walk.error).toBe('OSOP.LoopExhausted');
  });

  test('a for-each: each item costs the states of the body', () => {
    const { definition } = compiled(path.join(FIXTURES, 'graph', 'for-each.osop.yaml'));
    const paths = costPaths(definition);
    const two = paths.find((p) => p.kind === 'item')!;
    const inner = Object.keys((Object.values(definition.States).find((s) => s.Type === 'Map')!.ItemProcessor as { States: object }).States).length;
    expect(two.walk.transitions - paths[0].walk.transitions).toBe(inner);
  });

  test('an error edge with conditions: one path per error it tells apart', () => {
    const { definition } = compiled(path.join(FIXTURES, 'graph', 'error-timeout.osop.yaml'));
    const ids = costPaths(definition).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['error:charge:States.Timeout', 'error:charge:OSOP.Http.Rejected']));
  });
});

describe('estimate', () => {
  const prices = BUILT_IN_PRICES;
  const us = pricesFor(prices, 'us-east-1');

  test('the built-in table is dated, sourced and has us-east-1', () => {
    expect(prices.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(prices.sources.some((s) => s.includes('aws.amazon.com/step-functions/pricing'))).toBe(true);
    expect(us.standardPerTransition).toBeGreaterThan(0);
  });

  test('Standard is transitions × price; a month applies the free tiers', () => {
    const { definition, report } = compiled(SEED);
    const paths = costPaths(definition);
    const r = estimateCost(definition, report, paths, { prices, region: 'us-east-1', executions: 1_000_000, durations: { create_customer: 300, create_intent: 300, confirm_payment: 600, check_status: 200, send_receipt: 3000 } });
    const happy = r.paths[0];
    expect(r.durations).toBe('given');
    expect(happy.transitions).toBe(paths[0].walk.transitions);
    expect(happy.stepFunctions.standard).toBeCloseTo(happy.transitions * us.standardPerTransition, 12);
    expect(r.monthly!.standard.stepFunctions).toBeCloseTo((1_000_000 * happy.transitions - prices.freeTier.standardTransitions) * us.standardPerTransition, 2);
    expect(happy.lambdaInvocations).toBe(5);
    // 4.4 s of calls, rounded up to 100 ms, in one 64 MB chunk
    expect(happy.seconds).toBe(4.4);
    expect(r.monthly!.express.total).toBeLessThan(r.monthly!.standard.total);
    const zero = estimateCost(definition, report, paths, { prices, region: 'us-east-1', executions: 0 });
    expect(zero.monthly!.standard.total).toBe(0);
    expect(zero.durations).toBe('timeouts');
  });

  test('Express: the seed fits once it declares a timeout; callbacks and unkeyed side effects do not', () => {
    const seed = compiled(SEED);
    const e = estimateCost(seed.definition, seed.report, costPaths(seed.definition), { prices, region: 'us-east-1' }).express;
    expect(e.eligible).toBe(false);
    expect(e.fitsWithTimeout).toBe(true);
    const withTimeout = fs.readFileSync(SEED, 'utf8').replace(/^nodes:/m, 'timeout_sec: 300\nnodes:');
    const timed = compiled(SEED, withTimeout);
    expect(estimateCost(timed.definition, timed.report, costPaths(timed.definition), { prices, region: 'us-east-1' }).express.eligible).toBe(true);
    const approval = compiled(path.join(FIXTURES, 'graph', 'approval.osop.yaml'));
    const a = estimateCost(approval.definition, approval.report, costPaths(approval.definition), { prices, region: 'us-east-1' }).express;
    expect(a.eligible).toBe(false);
    expect(a.fitsWithTimeout).toBe(false);
    expect(a.problems.join('\n')).toMatch(/callback/);
  });

  test('bad input is a clear error', () => {
    const { definition, report } = compiled(SEED);
    expect(() => estimateCost(definition, report, costPaths(definition), { prices, region: 'us-east-1', durations: { nope: 1 } })).toThrow(CostInputError);
    expect(() => pricesFor(prices, 'mars-north-1')).toThrow(/no prices for region 'mars-north-1'/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-cost-'));
    const bad = path.join(dir, 'prices.json');
    fs.writeFileSync(bad, '{"taken": "yesterday"}');
    expect(() => readPrices(bad)).toThrow(PriceError);
    fs.writeFileSync(bad, 'not json');
    expect(() => readPrices(bad)).toThrow(/not JSON/);
    expect(() => readPrices(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});

test('lib/cost reads the definition and the report: no aws-cdk-lib, nothing of lib/cdk but plan.ts, and the local engine only in verify.ts', () => {
  const dir = path.join(__dirname, '..', '..', 'lib', 'cost');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const i of imports) {
      expect({ f, i, ok: !/aws-cdk-lib|constructs/.test(i) && (!i.startsWith('../cdk') || i === '../cdk/plan') && (!i.startsWith('../local') || f === 'verify.ts') }).toEqual({ f, i, ok: true });
    }
  }
});

test('a machine without a set-up state (input at the root, counters started where they are first needed) counts as it runs', async () => {
  const definition = {
    StartAt: 'pay',
    States: {
      pay: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:pay', Payload: { 'amount.$': '$.amount' } },
        ResultSelector: { 'ok.$': '$.Payload.ok' },
        ResultPath: '$.outputs.pay',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.errors.pay', Next: 'pay:fallback' }],
        Next: 'pay:route',
      },
      'pay:fallback': {
        Type: 'Choice',
        Choices: [
          // IsPresent: false, which the local layer runs as AWS does (aws-local-stepfunctions 3.0.0 alone never takes it).
          { Variable: '$.counters.pay', IsPresent: false, Next: 'pay:first-round' },
          { And: [{ Variable: '$.counters.pay', IsPresent: true }, { Variable: '$.counters.pay.count', NumericLessThan: 2 }], Next: 'pay:count' },
        ],
        Default: 'pay:exhausted',
      },
      'pay:first-round': { Type: 'Pass', Result: { count: 1 }, ResultPath: '$.counters.pay', Next: 'pay' },
      'pay:count': { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.counters.pay.count, 1)' }, ResultPath: '$.counters.pay', Next: 'pay' },
      'pay:exhausted': { Type: 'Fail', Error: 'OSOP.FallbackExhausted' },
      'pay:route': { Type: 'Choice', Choices: [{ Variable: '$.outputs.pay.ok', BooleanEquals: true, Next: 'done' }], Default: 'declined' },
      done: { Type: 'Succeed' },
      declined: { Type: 'Fail', Error: 'Declined' },
    },
  } as unknown as import('../../lib/types').AslDefinition;
  const { report: seedReport } = compiled(SEED);
  const restTask = seedReport.tasks.find((t) => t.binding === 'rest')!;
  const report = { ...seedReport, workflowId: 'no-init', states: Object.keys(definition.States), nodes: [{ id: 'pay', type: 'api', binding: 'rest' }], tasks: [{ ...restTask, state: 'pay', node: 'pay', substitutions: [] }] };
  const paths = costPaths(definition);
  expect(paths.map((p) => p.kind)).toEqual(expect.arrayContaining(['happy', 'error', 'exhausted']));
  expect(paths.find((p) => p.kind === 'happy')!.walk.status).toBe('SUCCEEDED');
  expect(paths.find((p) => p.kind === 'exhausted')!.walk.calls.filter((c) => c.state === 'pay')).toHaveLength(3);
  const v = await verifyPaths(definition, report, paths);
  expect(v.filter((x) => !x.agrees)).toEqual([]);
});

test('a Choice that matches nothing and has no Default fails the path with States.NoChoiceMatched, as on AWS', () => {
  const definition = {
    StartAt: 'set',
    States: {
      set: { Type: 'Pass', Result: 'b', ResultPath: '$.x', Next: 'pick' },
      pick: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'a', Next: 'done' }] },
      done: { Type: 'Succeed' },
    },
  } as unknown as import('../../lib/types').AslDefinition;
  const [happy] = costPaths(definition);
  expect(happy.walk.status).toBe('FAILED');
  expect(happy.walk.error).toBe('States.NoChoiceMatched');
  expect(happy.walk.transitions).toBe(2);
});
