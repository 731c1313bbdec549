/**
 * for-each loops as AWS runs them, on the local engine with the real REST
 * handler against a recording server on 127.0.0.1:
 *   - every item hands back a small result: Step Functions collects the items'
 *     results into one array that counts against the 256 KiB data limit even
 *     when ResultPath discards it (the local layer enforces this too);
 *   - a long list runs as a Distributed Map: each item a child execution with
 *     its own history, so the parent's 25,000 events do not bound the list;
 *   - per-item failure tolerance (percentage, count, on_item_error: continue),
 *     alike on both Map kinds;
 *   - the history a loop or a fallback bound may need is checked at compile time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compile } from '../../lib';
import { OsopStack } from '../../lib/cdk';
import { startLocalExecution } from '../../lib/local/engine';
import { runLocally } from '../../lib/local/run-local';
import { times } from '../../lib/lower/map';
import { compileValid } from '../helpers/asl';
import { useLoopbackServer } from '../helpers/loopback';
import { CDK_CONTEXT_NO_BUNDLING, actionsOf, allStatements, resourcesOf, unacknowledgedFindings } from '../cdk/helpers';

const sent: string[] = [];
const server = useLoopbackServer((req, res) => {
  sent.push(req.url ?? '');
  // /send/bad-... answers 400: OSOP.Http.Rejected, which is not retried.
  if (req.url?.includes('bad')) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"no such mailbox"}');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
beforeEach(() => (sent.length = 0));

const newsletter = (edgeSfn: string, extraInputs = '') => `osop_version: "1.0"
id: newsletter
name: Newsletter
inputs: { emails: { type: array }${extraInputs} }
nodes:
  - { id: start, type: system, subtype: router }
  - id: send
    type: api
    runtime: { url: "https://mail.example.com/send/\${loop.email}", method: POST, body: { to: "\${loop.email}" } }
  - { id: done, type: system, subtype: router }
edges:
  - { from: start, to: send, mode: loop, for_each: inputs.emails, iterator_var: email${edgeSfn ? `, x-sfn: ${edgeSfn}` : ''} }
  - { from: start, to: done }
`;

const compiled = (source: string) => compileValid(source);

const run = (source: string, input: unknown, limits?: { historyEvents?: number }) => {
  const r = compiled(source);
  return runLocally({ definition: r.definition!, report: r.report!, input, fast: true, routes: { 'https://mail.example.com': server.base }, ...(limits && { limits }) });
};

const mapOf = (definition: unknown) => (definition as { States: Record<string, Record<string, any>> }).States['start:for-each'];

describe("the items' results", () => {
  test('each item hands back -1, not the state data: 400 items with a 2 KB input fit the 256 KiB result array', async () => {
    const o = await run(newsletter('{ max_items: 400 }', ', note: { type: string }'), { emails: Array.from({ length: 400 }, (_, i) => `u${i}@x.com`), note: 'x'.repeat(2000) });
    expect(o.status).toBe('SUCCEEDED');
    expect(sent).toHaveLength(400);
  }, 60_000);

  test('the local engine refuses, as AWS does, a Map whose items together hand back more than 256 KiB though ResultPath is null', async () => {
    const definition = {
      StartAt: 'each',
      States: {
        each: { Type: 'Map', ItemsPath: '$.xs', ResultPath: null, ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'keep', States: { keep: { Type: 'Pass', Parameters: { 'a.$': '$', 'b.$': '$' }, End: true } } }, End: true },
      },
    };
    // 200 KB of items in; each item hands back twice its item: 400 KB of results.
    const o = await startLocalExecution(definition as never, { xs: Array.from({ length: 200 }, () => 'y'.repeat(1000)) }, { handlers: {}, fast: true, executionArn: 'arn:local', executionName: 'n' }).outcome;
    expect(o.status).toBe('FAILED');
    expect(o.error).toBe('States.DataLimitExceeded');
    expect(o.cause).toMatch(/results of the items of Map state 'each'.*even when ResultPath discards them/);
  });
});

describe('inline or distributed', () => {
  test('a list of unknown length runs inline, with a warning that says how many items fit the history', () => {
    const r = compiled(newsletter(''));
    expect(mapOf(r.definition).ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    const w = r.diagnostics.find((d) => d.code === 'OSOP5014')!;
    expect(w.message).toMatch(/runs inline.*more than about \d+ items would fail the execution/);
    expect(w.hint).toMatch(/max_items/);
    expect(w.line).toBe(12);
  });

  test('max_items within what fits runs inline without a warning; over it, a Distributed Map with its IAM in the report', () => {
    const small = compiled(newsletter('{ max_items: 500 }'));
    expect(mapOf(small.definition).ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(small.diagnostics.filter((d) => d.code === 'OSOP5014')).toEqual([]);
    expect(small.report!.distributedMaps).toEqual([]);
    const big = compiled(newsletter('{ max_items: 100000 }'));
    expect(mapOf(big.definition).ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(big.report!.distributedMaps).toEqual(['start:for-each']);
    const forced = compiled(newsletter('{ map: inline, max_items: 100000 }'));
    expect(mapOf(forced.definition).ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(forced.diagnostics.find((d) => d.code === 'OSOP5014')?.message).toMatch(/runs inline \(x-sfn: \{ map: inline \}\) over up to 100000 items/);
  });

  test("a Distributed Map's items run in child executions: a list whose inline history would pass the limit succeeds", async () => {
    // With the limit lowered to 400 events: 60 items at about 9 events each pass it inline, not distributed.
    const emails = Array.from({ length: 60 }, (_, i) => `u${i}@x.com`);
    const inline = await run(newsletter('{ map: inline }'), { emails }, { historyEvents: 400 });
    expect(inline.status).toBe('FAILED');
    expect(inline.cause).toMatch(/history reached 400 events/);
    const distributed = await run(newsletter('{ map: distributed }'), { emails }, { historyEvents: 400 });
    expect(distributed.status).toBe('SUCCEEDED');
    expect(new Set(sent.slice(-60)).size).toBe(60);
  }, 60_000);

  test("a child execution's own history is limited too", async () => {
    // Four Tasks an item (about 20 events in the child) against a parent of about 14 events.
    const source = newsletter('{ map: distributed }')
      .replace('  - { id: done, type: system, subtype: router }', ['b', 'c', 'd'].map((x) => `  - { id: ${x}, type: api, runtime: { url: "https://mail.example.com/${x}", method: POST } }`).join('\n') + '\n  - { id: done, type: system, subtype: router }')
      .replace('  - { from: start, to: done }', '  - { from: send, to: b }\n  - { from: b, to: c }\n  - { from: c, to: d }\n  - { from: start, to: done }');
    const o = await run(source, { emails: ['a@x.com'] }, { historyEvents: 16 });
    expect(o.status).toBe('FAILED');
    expect(o.cause).toMatch(/child execution of the Distributed Map 'start:for-each' \(item 0\)/);
  });

  test('the stack lets a state machine with a Distributed Map start, watch and stop its own executions, and nothing more; cdk-nag is clean', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-dmap-'));
    fs.writeFileSync(path.join(dir, 'newsletter.osop.yaml'), newsletter('{ map: distributed }'));
    const app = new App({ context: CDK_CONTEXT_NO_BUNDLING });
    const stack = new OsopStack(app, 'Mail', { workflowsDir: dir });
    const statements = allStatements(Template.fromStack(stack)).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    const text = statements.map((s) => `${actionsOf(s).join(',')} ${JSON.stringify(resourcesOf(s))}`);
    expect(text).toEqual([
      expect.stringMatching(/^states:StartExecution .*:stateMachine:Mail-newsletter"/),
      expect.stringMatching(/^states:DescribeExecution,states:StopExecution .*:execution:Mail-newsletter\/\*"/),
    ]);
    expect(unacknowledgedFindings(app, stack)).toEqual([]);
  });
});

describe('failures each item may have', () => {
  const emails = (bad: number, good: number) => [...Array.from({ length: bad }, (_, i) => `bad${i}@x.com`), ...Array.from({ length: good }, (_, i) => `ok${i}@x.com`)];

  for (const kind of ['inline', 'distributed'] as const) {
    test(`${kind}: tolerated_failure_percentage: 50 lets 1 of 4 fail, not 3 of 4, and every item is tried`, async () => {
      const source = newsletter(`{ map: ${kind}, tolerated_failure_percentage: 50 }`);
      const few = await run(source, { emails: emails(1, 3) });
      expect(few.status).toBe('SUCCEEDED');
      expect(sent.filter((p) => p.startsWith('/send/'))).toHaveLength(4);
      const many = await run(source, { emails: emails(3, 1) });
      expect(many.status).toBe('FAILED');
      expect(many.error).toBe('OSOP.ForEach.TooManyFailures');
      expect(many.cause).toMatch(/tolerates \(50 %\)/);
    }, 30_000);
  }

  test('the share is exact: 1 failed of 3 is over 33 % and within 34 %', async () => {
    expect((await run(newsletter('{ tolerated_failure_percentage: 33 }'), { emails: emails(1, 2) })).error).toBe('OSOP.ForEach.TooManyFailures');
    expect((await run(newsletter('{ tolerated_failure_percentage: 34 }'), { emails: emails(1, 2) })).status).toBe('SUCCEEDED');
  }, 30_000);

  test('tolerated_failure_count: 1 lets one item fail, not two; all failing counts too', async () => {
    const source = newsletter('{ tolerated_failure_count: 1 }');
    expect((await run(source, { emails: emails(1, 2) })).status).toBe('SUCCEEDED');
    expect((await run(source, { emails: emails(2, 2) })).error).toBe('OSOP.ForEach.TooManyFailures');
    expect((await run(source, { emails: emails(1, 0) })).status).toBe('SUCCEEDED');
    expect((await run(source, { emails: emails(2, 0) })).error).toBe('OSOP.ForEach.TooManyFailures');
  }, 30_000);

  test('on_item_error: continue goes on whatever fails; an empty list is no failure', async () => {
    const source = newsletter('{ on_item_error: continue }');
    expect((await run(source, { emails: emails(3, 0) })).status).toBe('SUCCEEDED');
    expect((await run(newsletter('{ tolerated_failure_percentage: 10 }'), { emails: [] })).status).toBe('SUCCEEDED');
  }, 30_000);

  test('without a tolerance, one failed item fails the loop', async () => {
    const o = await run(newsletter('{ max_items: 10 }'), { emails: emails(1, 3) });
    expect(o.status).toBe('FAILED');
    expect(o.error).toBe('OSOP.Http.Rejected');
    // The other items' calls were under way when the loop failed; let them finish inside this test.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });

  test('the for-each keys are refused elsewhere and contradictions are errors', () => {
    const misplaced = compile('f.osop.yaml', { source: newsletter('').replace('{ from: start, to: done }', '{ from: start, to: done, x-sfn: { map: distributed } }') });
    expect(misplaced.diagnostics.find((d) => d.message.includes('applies to a for-each loop edge'))).toBeDefined();
    const both = compile('f.osop.yaml', { source: newsletter('{ on_item_error: continue, tolerated_failure_percentage: 5 }') });
    expect(both.ok).toBe(false);
    expect(both.diagnostics.map((d) => d.code)).toContain('OSOP2009');
  });

  test('x · k as nested States.MathAdd stays within 10 nested intrinsics for every percentage', () => {
    for (let k = 1; k <= 100; k++) {
      const e = times('$.x', k);
      let depth = 0;
      let max = 0;
      for (const c of e) {
        if (c === '(') max = Math.max(max, ++depth);
        else if (c === ')') depth--;
      }
      expect(max).toBeLessThanOrEqual(9);
      expect(e.split('$.x').length - 1).toBe(k);
    }
  });
});

describe('history a bound may need', () => {
  test('a fallback bound whose rounds would pass 25,000 events is reported, like a loop bound', () => {
    const source = `osop_version: "1.0"
id: retrying
name: Retrying
nodes:
  - { id: a, type: api, runtime: { url: "https://x.example.com/a", method: POST } }
  - { id: b, type: api, runtime: { url: "https://x.example.com/b", method: POST } }
  - { id: c, type: api, runtime: { url: "https://x.example.com/c", method: POST } }
  - { id: d, type: api, runtime: { url: "https://x.example.com/d", method: POST } }
  - { id: e, type: api, runtime: { url: "https://x.example.com/e", method: POST } }
  - { id: f, type: api, runtime: { url: "https://x.example.com/f", method: POST }, x-sfn: { max_fallbacks: 1000 } }
edges:
  - { from: a, to: b }
  - { from: b, to: c }
  - { from: c, to: d }
  - { from: d, to: e }
  - { from: e, to: f }
  - { from: f, to: a, mode: fallback }
`;
    const r = compile('f.osop.yaml', { source });
    const w = r.diagnostics.find((d) => d.code === 'OSOP5014');
    expect(w?.message).toMatch(/fallback edge f → a may repeat 1000 times/);
    expect(w?.hint).toMatch(/max_fallbacks/);
  });
});
