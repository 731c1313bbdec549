/**
 * Front-end defects users hit, each held by a test that failed before its fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type Diagnostic } from '../../lib';

const header = (extra = '') => `osop_version: "1.0"\nid: f\nname: F\n${extra}nodes:\n`;
const run = (src: string, file = 'f.osop.yaml') => compile(file, { source: src });
const codes = (ds: Diagnostic[], severity = 'error') => ds.filter((d) => d.severity === severity).map((d) => d.code);

test("a fork whose branches never join: every branch's templates are checked, and its api nodes are bound", () => {
  const r = run(
    `${header('inputs: { q: { type: string } }\n')}  - { id: s, type: system, subtype: fork }\n  - { id: a, type: api, runtime: { url: "https://x.example.com/\${inputs.q}" } }\n  - { id: b, type: api, runtime: { url: "https://x.example.com/\${nope.x}" } }\nedges:\n  - { from: s, to: a, mode: parallel }\n  - { from: s, to: b, mode: parallel }\n`,
  );
  // Before: OSOP5002 "has no URL" on b, and its reference never checked.
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line])).toEqual([['OSOP3007', 8]]);
});

test('a fork node that cannot be lowered still has the errors of its branches reported', () => {
  const r = run(
    `${header('inputs: { h: { type: string } }\n')}  - { id: s, type: api, runtime: { url: "https://\${inputs.h}/x" } }\n  - { id: a, type: api, runtime: { url: "https://x.example.com/a" } }\n  - { id: b, type: api, runtime: { url: "https://\${inputs.h}/b" } }\nedges:\n  - { from: s, to: a, mode: parallel }\n  - { from: s, to: b, mode: parallel }\n`,
  );
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line])).toEqual([['OSOP5003', 6], ['OSOP5003', 8]]);
});

test('an api node of subtype router is a Pass, not a call without a URL', () => {
  const r = run(`${header()}  - { id: s, type: api, subtype: router }\n  - { id: a, type: api, runtime: { url: "https://x.example.com/a" } }\nedges:\n  - { from: s, to: a }\n`);
  expect(r.ok).toBe(true);
  expect(r.definition!.States.s).toMatchObject({ Type: 'Pass' });
});

test("'approved' on the edge out of an approval reads that approval's decision, not another human node's", () => {
  const r = run(
    `${header()}  - { id: submit_request, type: human }\n  - { id: manager_review, type: human }\n  - { id: pay, type: system }\nedges:\n  - { from: submit_request, to: manager_review }\n  - { from: manager_review, to: pay, mode: conditional, when: approved }\n`,
  );
  expect(r.ok).toBe(true);
  const reading = r.diagnostics.find((d) => d.code === 'OSOP3024')!;
  expect(reading.message).toContain("the decision of approval 'manager_review'");
  expect(r.definition!.States['manager_review:route']).toMatchObject({ Choices: [{ Variable: '$.outputs.manager_review.decision', StringEquals: 'approved', Next: 'pay' }] });
});

test('conditions comparing one optional variable with different constants are not reported as overlapping', () => {
  const r = run(
    `${header('inputs: { kind: { type: string } }\n')}  - { id: s, type: system, subtype: router }\n  - { id: a, type: system }\n  - { id: b, type: system }\nedges:\n  - { from: s, to: a, mode: conditional, when: "inputs.kind == 'x'" }\n  - { from: s, to: b, mode: conditional, when: "inputs.kind == 'y'" }\n`,
  );
  expect(codes(r.diagnostics, 'warning')).not.toContain('OSOP3013');
});

describe('x-sfn', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-xsfn-'));
    fs.writeFileSync(path.join(dir, 'here.ts'), 'export const handler = async () => ({});\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an unknown key gets a "did you mean"', () => {
    const r = run(`${header()}  - { id: a, type: cli, x-sfn: { max_fallback: 2 } }\n`);
    expect(r.diagnostics.find((d) => d.code === 'OSOP2009')).toMatchObject({ message: expect.stringContaining("Unknown key 'max_fallback'"), hint: "Did you mean 'max_fallbacks'?" });
  });

  test('a missing handler module is found by check, not first by run; a path out of the folder is refused', () => {
    const file = path.join(dir, 'wf.osop.yaml');
    const missing = compile(file, { source: `${header()}  - { id: a, type: cli, x-sfn: { handler: nowhere.ts } }\n` });
    expect(missing.diagnostics.find((d) => d.code === 'OSOP2009')?.message).toContain("names 'nowhere.ts', which does not exist in the workflow's folder");
    const outside = compile(file, { source: `${header()}  - { id: a, type: cli, x-sfn: { handler: ../../etc/passwd } }\n` });
    expect(outside.diagnostics.find((d) => d.code === 'OSOP2009')?.message).toContain("leaves the workflow's folder");
    expect(compile(file, { source: `${header()}  - { id: a, type: cli, x-sfn: { handler: here.ts } }\n` }).ok).toBe(true);
  });
});

test('an output with an explicit path and required: false is optional (a polling answer may lack it)', () => {
  const r = run(`${header()}  - id: poll\n    type: api\n    runtime: { url: "https://x.example.com/export" }\n    outputs:\n      - { name: url, path: "data.download_url", required: false }\n      - { name: state, path: "data.state" }\n`);
  const outputs = (r.definition!.States.poll as { Parameters: { Payload: { outputs: unknown } } }).Parameters.Payload.outputs;
  expect(outputs).toEqual([
    { name: 'url', path: '$.download_url', required: false },
    { name: 'state', path: '$.state', required: true },
  ]);
});

test('an object or a list inside text is written as JSON, not a run-time States.Runtime', async () => {
  const { runLocally } = await import('../../lib/local/run-local');
  const r = run(
    `${header('inputs: { filters: { type: object } }\n')}  - { id: q, type: db, runtime: { sql: "SELECT 1", cluster_arn: "arn:aws:rds:eu-west-1:1:cluster:c", secret_arn: "arn:aws:secretsmanager:eu-west-1:1:secret:s", database: d } }\n  - { id: tell, type: event, runtime: { source: s, detail_type: t, detail: { text: "rows \${q.rows} for \${inputs.filters} at \${q.updated}" } } }\nedges:\n  - { from: q, to: tell }\n`,
  );
  expect(r.ok).toBe(true);
  const entry = (r.definition!.States.tell as { Parameters: { Entries: Record<string, unknown>[] } }).Parameters.Entries[0];
  expect(entry['Detail']).toEqual({ 'text.$': "States.Format('rows {} for {} at {}', States.JsonToString($.outputs.q.rows), States.JsonToString($.input.filters), $.outputs.q.updated)" });
  let detail: unknown;
  const o = await runLocally({
    definition: r.definition!,
    report: r.report!,
    input: { filters: { plan: 'pro' } },
    fast: true,
    handlers: {
      q: async () => ({ NumberOfRecordsUpdated: 0, FormattedRecords: '[{"a":1}]' }),
      tell: async (p) => {
        detail = (p as { Entries: { Detail: unknown }[] }).Entries[0].Detail;
        return { Entries: [{ EventId: 'e' }], FailedEntryCount: 0 };
      },
    },
  });
  expect(o.status).toBe('SUCCEEDED');
  expect(detail).toEqual({ text: 'rows [{"a":1}] for {"plan":"pro"} at 0' });
});

describe('sub-workflows are checked against the child at compile time', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-child-'));
    fs.writeFileSync(path.join(dir, 'invite.osop.yaml'), 'osop_version: "1.0"\nid: invite\nname: Invite\ninputs: { email: { type: string, required: true }, team: { type: string, default: core } }\nnodes:\n  - { id: invite_url, type: system, subtype: router }\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const parent = (inputs: string, outputs: string) =>
    compile(path.join(dir, 'onboard.osop.yaml'), { source: `${header()}  - id: send\n    type: system\n    workflow_ref: invite\n    workflow_inputs: ${inputs}\n    outputs: ${outputs}\n` });

  test('a required child input not passed, and a typo in an output name, are errors with a suggestion', () => {
    const r = parent('{ emial: "x@example.com" }', '[invite_urll]');
    expect(r.diagnostics.filter((d) => d.code === 'OSOP3027').map((d) => [d.message, d.hint])).toEqual([
      ["Node 'send' starts workflow 'invite' without its required input 'email'.", 'Pass it: workflow_inputs: { email: ... }.'],
      ["Node 'send' passes 'emial', which workflow 'invite' does not declare as an input.", "Did you mean 'email'?"],
      ["Node 'send' reads 'invite_urll' from workflow 'invite', which has no node of that id (a child's result is its nodes' outputs, by node id).", "Did you mean 'invite_url'?"],
    ]);
  });

  test('inputs with defaults need not be passed', () => {
    expect(parent('{ email: "x@example.com" }', '[invite_url]').ok).toBe(true);
  });
});

describe('a wait_all fork whose first branch goes straight to the join', () => {
  const source = (url: string, swapped = false) => {
    const direct = '  - { from: s, to: j, mode: parallel }\n';
    const viaA = '  - { from: s, to: a, mode: parallel }\n';
    return `osop_version: "1.0"
id: f
name: F
nodes:
  - { id: s, type: system, subtype: fork }
  - { id: a, type: api, runtime: { url: "${url}", method: GET } }
  - { id: j, type: system, subtype: router }
edges:
${swapped ? viaA + direct : direct + viaA}  - { from: a, to: j }
`;
  };
  it('compiles as it does with the edges the other way round', () => {
    for (const swapped of [false, true]) {
      const r = compile('f.osop.yaml', { source: source('https://api.example.com/x', swapped) });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.ok).toBe(true);
    }
  });
  it("still checks the other branches' templates", () => {
    const r = compile('f.osop.yaml', { source: source('https://api.example.com/${nope.y}') });
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'OSOP3007', line: 6 })]);
  });
});
