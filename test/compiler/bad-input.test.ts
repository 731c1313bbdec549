/**
 * Bad input: each case gets a clear diagnostic with its code at the right
 * position, and never an internal error.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, type Diagnostic } from '../../lib';

const GOOD_NODE = `
  - id: a
    type: api
    runtime: { method: GET, url: "https://api.example.com/a" }
    outputs: [{ name: status }]
  - id: b
    type: api
    runtime: { method: GET, url: "https://api.example.com/b" }
`;

function diagnose(source: string, file = 'bad.osop.yaml'): Diagnostic[] {
  const r = compile(file, { source });
  expect(r.internalError).toBeFalsy();
  return r.diagnostics;
}

function errorsOf(ds: Diagnostic[]) {
  return ds.filter((d) => d.severity === 'error');
}

/** The one error with this code, checked for position and content. */
function expectError(ds: Diagnostic[], code: string, line: number, column?: number, message?: RegExp): Diagnostic {
  const matches = errorsOf(ds).filter((d) => d.code === code);
  expect(matches.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toHaveLength(1);
  const d = matches[0];
  expect(d.line).toBe(line);
  if (column !== undefined) expect(d.column).toBe(column);
  if (message) expect(d.message).toMatch(message);
  return d;
}

describe('bad input', () => {
  it('broken YAML: a syntax error at its position', () => {
    const ds = diagnose('id: x\nnodes:\n  - id: a\n    type: [api\nedges: []\n');
    const d = errorsOf(ds)[0];
    expect(d.code).toBe('OSOP1005');
    expect(d.line).toBeGreaterThanOrEqual(4);
    expect(d.message).toMatch(/YAML syntax error/);
  });

  it('missing nodes', () => {
    const ds = diagnose('osop_version: "1.0"\nid: x\nname: X\nedges: []\n');
    expectError(ds, 'OSOP2001', 1, 1, /missing 'nodes'/);
  });

  it('duplicate node ids point at the second one', () => {
    const ds = diagnose(`osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}  - id: a\n    type: api\nedges:\n  - { from: a, to: b }\n`);
    const d = expectError(ds, 'OSOP3001', 12, 9, /Duplicate node id 'a'/);
    expect(d.sourceLine).toContain('- id: a');
  });

  it('an edge to an unknown node, with a suggestion', () => {
    const ds = diagnose(`osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - from: a\n    to: bb\n`);
    const d = expectError(ds, 'OSOP3002', 14, 9, /'bb', which is not a node/);
    expect(d.hint).toBe("Did you mean 'b'?");
    // No follow-on errors from the dropped edge.
    expect(errorsOf(ds)).toHaveLength(1);
  });

  it('an unknown node type, with a suggestion', () => {
    const ds = diagnose(`osop_version: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: apii\nedges: []\n`);
    const d = expectError(ds, 'OSOP2004', 6, 11, /Unknown node type 'apii'/);
    expect(d.hint).toBe("Did you mean 'api'?");
  });

  it('a reference to an output that does not exist', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE.replace('url: "https://api.example.com/b"', 'url: "https://api.example.com/b/${a.statuss}"')}edges:\n  - { from: a, to: b }\n`;
    const d = expectError(diagnose(src), 'OSOP3010', 11, 63, /Node 'a' has no output 'statuss'/);
    expect(d.hint).toBe("Did you mean 'status'?");
  });

  it('a reference to an output of a node that has not run yet', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}  - id: c\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/c" }\n    outputs: [{ name: late }]\nedges:\n  - { from: a, to: b }\n  - { from: b, to: c }\n`;
    const withRef = src.replace('url: "https://api.example.com/b"', 'url: "https://api.example.com/b?x=${c.late}"');
    const d = expectError(diagnose(withRef), 'OSOP3008', 11, 65, /'c.late' may have no value here/);
    expect(d.message).toMatch(/'c' does not run on every path to 'b'/);
  });

  it('a reference to a node that does not exist (not a silent true)', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - from: a\n    to: b\n    mode: conditional\n    when: "review.decision == 'approved'"\n`;
    const d = expectError(diagnose(src), 'OSOP3007', 16, 12, /'review.decision' refers to 'review'/);
    expect(d.sourceLine).toContain('review.decision');
  });

  it('a malformed condition points into the expression', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - from: a\n    to: b\n    mode: conditional\n    when: "a.status == "\n`;
    expectError(diagnose(src), 'OSOP4001', 16, 21, /a value is missing/);
  });

  it('a condition that a Choice rule cannot express is an error, not a wrong rule', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - from: a\n    to: b\n    mode: conditional\n    when: "a.status / 2 == 1"\n`;
    expectError(diagnose(src), 'OSOP4002', 16, 12, /arithmetic/);
  });

  it('an empty file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-'));
    const file = path.join(dir, 'empty.osop.yaml');
    fs.writeFileSync(file, '\n# nothing here\n');
    const r = compile(file);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toMatchObject([{ severity: 'error', code: 'OSOP1004', file, line: 1, column: 1 }]);
  });

  it('a directory instead of a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-'));
    const r = compile(dir);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toMatchObject([{ severity: 'error', code: 'OSOP1002', file: dir }]);
    expect(r.diagnostics[0].message).toMatch(/is a directory/);
  });

  it('a file that does not exist', () => {
    const r = compile('/no/such/file.osop.yaml');
    expect(r.diagnostics).toMatchObject([{ severity: 'error', code: 'OSOP1001' }]);
  });

  it('several roots that never meet are one error listing all of them', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}  - id: c\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/c" }\nedges:\n  - { from: a, to: b }\n`;
    const ds = errorsOf(diagnose(src));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'OSOP3004', line: 12 });
    expect(ds[0].message).toContain("'a', 'c'");
    expect(ds[0].message).toContain('never meet');
  });

  it('several roots that meet start together, with a warning (an error with strict)', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}  - id: c\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/c" }\nedges:\n  - { from: a, to: b }\n  - { from: c, to: b }\n`;
    const r = compile('x.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.code === 'OSOP3026')).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining("start together as parallel branches that join at 'b'") })]);
    expect(r.definition!.States['osop:init'].Next).toBe('osop:start');
    expect(r.definition!.States['osop:start:parallel']).toMatchObject({ Type: 'Parallel', Next: 'b' });
    expect(compile('x.osop.yaml', { source: src, strict: true }).ok).toBe(false);
  });

  it('a sequential edge back to an earlier node is an unbounded cycle', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - { from: a, to: b }\n  - { from: b, to: a }\n`;
    expectError(diagnose(src), 'OSOP3006', 14, 5, /makes a cycle with no bound/);
  });

  it('an api node without a URL is a manual step: a warning, and an error with strict', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    runtime: { method: POST }\nedges: []\n`;
    const r = compile('x.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.code === 'OSOP5008')).toEqual([expect.objectContaining({ severity: 'warning', line: 6, message: expect.stringMatching(/manual step \(it names no URL to call\)/) })]);
    expect(r.report!.tasks).toEqual([expect.objectContaining({ state: 'a', binding: 'manual', waitsForCallback: true, local: { kind: 'callback', answer: 'manual' } })]);
    expectError(compile('x.osop.yaml', { source: src, strict: true }).diagnostics, 'OSOP5008', 6, 11, /manual step/);
  });

  it('a URL whose host comes from data is refused', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\ninputs: { host: { type: string } }\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://\${inputs.host}/x" }\nedges: []\n`;
    expectError(diagnose(src), 'OSOP5003', 8, 34, /literal http\(s\) origin/);
  });

  it('an unknown key warns with a suggestion but does not fail', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    purpse: typo\n    runtime: { method: GET, url: "https://api.example.com/a" }\nedges: []\n`;
    const r = compile('w.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    const w = r.diagnostics.find((d) => d.code === 'OSOP2003')!;
    expect(w).toMatchObject({ severity: 'warning', line: 7, column: 5 });
    expect(w.hint).toBe("Did you mean 'purpose'?");
  });

  it('x- keys are ignored silently', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nx-team: core\nnodes:\n  - id: a\n    type: api\n    x-cost: 1\n    runtime: { method: GET, url: "https://api.example.com/a" }\nedges: []\n`;
    const r = compile('w.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
  });

  it('a secret in a condition is refused', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:${GOOD_NODE}edges:\n  - from: a\n    to: b\n    mode: conditional\n    when: "secrets.KEY == 'x'"\n`;
    const ds = errorsOf(diagnose(src));
    expect(ds.length).toBeGreaterThan(0);
    expect(ds[0].message).toMatch(/[Ss]ecrets cannot be used in conditions/);
  });

  it('rejects unknown compile() options at the boundary', () => {
    expect(() => compile('x.osop.yaml', { sourc: '' } as never)).toThrow(/unknown option 'sourc'/);
  });
});

describe('dialects', () => {
  it('a workflow-level retry is the default of every node; a node-level one overrides it', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nretry: { max_attempts: 4, backoff: { type: fixed, initial_delay: "2s" } }\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/a" }\n  - id: b\n    type: api\n    retry_policy: { max_retries: 1, strategy: exponential_backoff, backoff_sec: 5 }\n    runtime: { method: GET, url: "https://api.example.com/b" }\nedges:\n  - { from: a, to: b }\n`;
    const r = compile('w.osop.yaml', { source: src });
    const states = r.definition!.States as any;
    expect(states.a.Retry[0]).toMatchObject({ MaxAttempts: 3, IntervalSeconds: 2, BackoffRate: 1 });
    expect(states.b.Retry[0]).toMatchObject({ MaxAttempts: 1, IntervalSeconds: 5, BackoffRate: 2 });
  });

  it('accepts condition, description, config and osop: as the older spellings', () => {
    const src = `osop: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    description: first\n    config: { method: GET, url: "https://api.example.com/a" }\n    outputs: [ok]\n  - id: b\n    type: api\n    timeout: "2m"\n    config: { method: GET, url: "https://api.example.com/b" }\nedges:\n  - { from: a, to: b, mode: conditional, condition: "a.ok == true" }\n`;
    const r = compile('w.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    const states = r.definition!.States as any;
    expect(states['a:route'].Choices[0]).toMatchObject({ Variable: '$.outputs.a.ok', Next: 'b' });
    expect(states.b.TimeoutSeconds).toBe(120 + 10);
    expect(states.b.Parameters.Payload.timeoutMs).toBe(120000);
  });

  it('accepts the AND/OR dialect with a warning that gives the CEL spelling', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/a" }\n    outputs: [status, score]\n  - id: b\n    type: api\n    runtime: { method: GET, url: "https://api.example.com/b" }\nedges:\n  - { from: a, to: b, mode: conditional, when: "status == 'ok' AND score > 3" }\n`;
    const r = compile('w.osop.yaml', { source: src });
    expect(r.ok).toBe(true);
    const w = r.diagnostics.find((d) => d.code === 'OSOP4003')!;
    expect(w.severity).toBe('warning');
    expect(w.hint).toContain('&&');
  });
});

describe('found by fuzzing', () => {
  it('a URL with an empty host is an error, not a crash', () => {
    const src = `osop_version: "1.0"\nid: x\nname: X\nnodes:\n  - id: a\n    type: api\n    runtime: { method: POST, url: "https://:api.stripe.com", headers: { Content-Type: "application/x-www-form-urlencoded" } }\nedges: []\n`;
    const r = compile('w.osop.yaml', { source: src });
    expect(r.internalError).toBeFalsy();
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['OSOP5003']);
  });
});
