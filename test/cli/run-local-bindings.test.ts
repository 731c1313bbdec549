/**
 * `osop-sfn run` on workflows with approvals, user handlers and
 * sub-workflows, as users run it: the built CLI in its own process, the real
 * engine and handler modules, connections outside 127.0.0.1 made to fail.
 * The REST nodes of the approval fixture call a small stand-in over HTTP.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT } from '../helpers/paths';
import { BIN, cli, ensureBuilt } from './helpers';

const LOOPBACK_ONLY = `--require ${path.join(__dirname, 'loopback-only.js')}`;
const APPROVAL = path.join(FIXTURES, 'graph', 'approval.osop.yaml');
const BINDINGS = path.join(FIXTURES, 'graph', 'bindings.osop.yaml');
const CHECKOUT = path.join(FIXTURES, 'local', 'checkout.osop.yaml');
const RELEASE = path.join(FIXTURES, 'local', 'release.osop.yaml');

/** Stands in for ci.example.com and chat.example.com: answers every call with a version, records the calls. */
let server: Server;
let calls: { path: string; body: unknown }[] = [];
let routes: string[];
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-run-bindings-'));
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: raw ? JSON.parse(raw) : undefined });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ version: '1.2.3' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes = ['--route', `https://ci.example.com=${url}`, '--route', `https://chat.example.com=${url}`];
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  calls = [];
});

/** The progress lines without their times and durations. */
const progress = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('['))
    .map((l) => l.replace(/^\[\s*[\d.]+s\] /, '').replace(/\(\d+ ms\)/, '(n ms)'));
const entered = (stderr: string) => progress(stderr).flatMap((l) => (/^(?:.* ▸ )?→ /.test(l.trim()) ? [l.trim().replace('→ ', '')] : []));

describe('approvals: --approve answers them, as SendTaskSuccess / SendTaskFailure would', () => {
  const run = (args: string[]) => cli(['run', APPROVAL, ...routes, '--fast', '--progress', ...args], { USER: 'alice' }, { nodeOptions: LOOPBACK_ONLY });

  test('approved, then the gate approved: deploy runs; the decision is the node’s outputs', async () => {
    const r = await run(['--approve', 'approve=approved:ship it', '--approve', 'deploy=approved', '--output', 'json']);
    expect(r.code).toBe(0);
    expect(entered(r.stderr)).toEqual(['build', 'approve', 'approve:answer', 'approve:route', 'deploy:approval', 'deploy']);
    expect(progress(r.stderr)).toEqual(
      expect.arrayContaining([
        '⏸ approve waits for approval by release-manager: Deploy 1.2.3 to production?',
        '▶ approve approved by alice (--approve): ship it',
        "⏸ deploy:approval waits for approval by sre: Approve step 'deploy'?",
        '▶ deploy:approval approved by alice (--approve)',
      ]),
    );
    expect(JSON.parse(r.stdout)).toEqual({ build: { version: '1.2.3' }, approve: { decision: 'approved', comment: 'ship it', approver: 'alice' } });
    expect(calls.map((c) => c.path)).toEqual(['/build', '/deploy']);
  });

  test('rejected: the compiled Catch routes on the decision to notify, with the comment', async () => {
    const r = await run(['--approve', 'approve=rejected:not during the freeze', '--approve', 'deploy=approved', '--output', 'json']);
    expect(r.code).toBe(0);
    expect(entered(r.stderr)).toEqual(['build', 'approve', 'approve:rejected', 'approve:rejected-comment', 'approve:route', 'notify']);
    expect(progress(r.stderr)).toContain("⤷ approve caught OSOP.Approval.Rejected: not during the freeze → approve:rejected (decision 'rejected')");
    expect(JSON.parse(r.stdout).approve).toEqual({ decision: 'rejected', comment: 'not during the freeze', approver: '' });
    expect(calls).toEqual([{ path: '/build', body: undefined }, { path: '/notify', body: { why: 'not during the freeze' } }]);
  });

  test('a rejected gate fails the execution with OSOP.Approval.Rejected; deploy never runs', async () => {
    const r = await run(['--approve', 'approve=approved', '--approve', 'deploy:approval=rejected:freeze']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/status: +FAILED\n[\s\S]*error: +OSOP\.Approval\.Rejected\ncause: +freeze\n/);
    expect(progress(r.stderr)).toContain('✗ deploy:approval failed OSOP.Approval.Rejected: freeze');
    expect(calls.map((c) => c.path)).toEqual(['/build']);
  });

  test.each([
    ['no answer', [], /^osop-sfn: The workflow waits for approval at approve, deploy, and there is no terminal to ask on \(stdin and stderr are not both terminals\)\. Answer each with --approve NODE=approved\|rejected\[:comment\], e.g\. --approve approve=approved\.\n$/],
    ['one answer of two', ['--approve', 'approve=approved'], /^osop-sfn: The workflow waits for approval at deploy, and there is no terminal/],
    ['an unknown node', ['--approve', 'aprove=approved'], /^osop-sfn: --approve aprove=\.\.\.: no node 'aprove' waits for an approval\. Did you mean 'approve'\?\n$/],
    ['a decision that is neither', ['--approve', 'approve=maybe'], /^osop-sfn: --approve 'approve=maybe' must be NODE=approved or NODE=rejected, optionally with :COMMENT/],
    ['the same node twice', ['--approve', 'approve=approved', '--approve', 'approve=rejected'], /^osop-sfn: --approve answers 'approve' twice\.\n$/],
    ['with --endpoint', ['--endpoint', 'http://127.0.0.1:1', '--approve', 'approve=approved'], /^osop-sfn: --sandbox, --route, --fast, --approve, --complete, --allow-commands and --db-init apply to local runs/],
  ])('%s, stdin not a terminal: exit 2 before anything runs', async (_what, args, message) => {
    const r = await cli(['run', APPROVAL, ...(args as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(calls).toEqual([]);
  });
});

/** `script` gives the CLI a terminal (stdin and stderr); what this writes to its stdin is typed there. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

(hasScript ? test : test.skip)('on a terminal, each approval is asked: prompt, approvers, context; then approve or reject and a comment', async () => {
  const command = [process.execPath, BIN, 'run', APPROVAL, ...routes, '--fast'].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, USER: 'alice', NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const waitFor = async (text: string, from = 0) => {
    for (let i = 0; i < 200 && !out.includes(text, from); i++) await new Promise((r) => setTimeout(r, 50));
    if (!out.includes(text, from)) throw new Error(`'${text}' never shown; the terminal shows:\n${out}`);
    return out.indexOf(text, from) + text.length;
  };
  let at = await waitFor('Approve or reject? [a/r]');
  child.stdin.write('a\r');
  at = await waitFor('Comment (optional):', at);
  child.stdin.write('looks good\r');
  at = await waitFor('Approve or reject? [a/r]', at);
  child.stdin.write('maybe\r');
  at = await waitFor('Approve or reject? [a/r]', at);
  child.stdin.write('r\r');
  await waitFor('Why (the cause, optional):', at);
  child.stdin.write('freeze\r');
  const code = await new Promise((r) => child.on('close', r));
  const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  expect(code).toBe(1);
  expect(text).toContain("Approval needed at 'approve' in workflow approval\r\n  Deploy 1.2.3 to production?\r\n  approvers: release-manager\r\n  context:   {\"build\":{\"version\":\"1.2.3\"}}");
  expect(text).toContain("Approval needed at 'deploy' (before the node runs) in workflow approval");
  expect(text).toContain('▶ approve approved by alice (terminal): looks good');
  expect(text).toContain('▶ deploy:approval rejected by alice (terminal): freeze');
  expect(text).toMatch(/error: +OSOP\.Approval\.Rejected\r\ncause: +freeze/);
  expect(calls.map((c) => c.path)).toEqual(['/build']);
});

describe('user handlers: the module the workflow names, bundled and called as Lambda would', () => {
  test('a TypeScript handler (with a helper module) gets the payload and returns the node’s outputs', async () => {
    const r = await cli(['run', CHECKOUT, '--input', '{"branch":"release/1.2"}', '--output', 'json'], {}, { nodeOptions: LOOPBACK_ONLY });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { checkout } = JSON.parse(r.stdout);
    expect(checkout).toEqual({ sha: expect.stringMatching(/^[0-9a-f]{40}$/), short_sha: checkout.sha.slice(0, 7), branch: 'release/1.2' });
  });

  test('a thrown error keeps its name as the ASL error and its message as the cause', async () => {
    const r = await cli(['run', CHECKOUT, '--input', '{"branch":"missing"}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: +Git\.BranchNotFound\ncause: +branch 'missing' not found in org\/app\n/);
  });

  test.each([
    // Found by the compiler (as by `check`), with its position.
    ['a missing module', null, /w\.osop\.yaml:8:23 - error OSOP2009: x-sfn\.handler of node 'a' names 'handlers\/h\.ts', which does not exist in the workflow's folder\./],
    ['a module that does not build', 'export const handler = (event: unknown) => {\n  return event +;\n};\n', /^osop-sfn: The handler module .*handlers\/h\.ts \(x-sfn handler of 'a'\) does not build:\n  .*h\.ts:2:17: Unexpected ";"\n$/],
    ['a module without a handler function', 'export const handle = () => ({});\n', /^osop-sfn: The handler module .*h\.ts \(x-sfn handler of 'a'\) exports no function 'handler' \(Lambda calls exports\.handler\)\.\n$/],
    ['a module that throws while loading', "throw new Error('no config');\nexport const handler = () => ({});\n", /^osop-sfn: The handler module .*h\.ts \(x-sfn handler of 'a'\) fails while loading: Error: no config\n$/],
  ])('%s: exit 1 before the run starts', async (_what, source, message) => {
    const wf = fs.mkdtempSync(path.join(dir, 'handler-'));
    fs.mkdirSync(path.join(wf, 'handlers'));
    if (source !== null) fs.writeFileSync(path.join(wf, 'handlers', 'h.ts'), source as string);
    fs.writeFileSync(path.join(wf, 'w.osop.yaml'), 'osop_version: "1.1"\nid: w\nname: W\nnodes:\n  - id: a\n    type: cli\n    runtime: { command: x }\n    x-sfn: { handler: handlers/h.ts }\nedges: []\n');
    const r = await cli(['run', path.join(wf, 'w.osop.yaml'), '--progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('sub-workflows: the child runs on the same engine, with the same bindings', () => {
  test("the child's outputs reach the parent; its states show prefixed with its id", async () => {
    const r = await cli(['run', RELEASE, '--approve', 'sign_off=approved:ok', '--progress', '--output', 'json'], { USER: 'alice' }, { nodeOptions: LOOPBACK_ONLY });
    expect(r.code).toBe(0);
    const output = JSON.parse(r.stdout);
    const artifact = `app-${output.checkout.short_sha}-stable.tgz`;
    expect(output.package).toEqual({ output: { build: { artifact }, sign_off: { decision: 'approved', comment: 'ok', approver: 'alice' } } });
    expect(output.announce).toEqual({ message: `${artifact} released, signed off by alice` });
    expect(progress(r.stderr)).toEqual([
      // checkout's handler is given the earlier outputs, so the set-up state stays (parent and child alike).
      '→ osop:init', '✓ osop:init (n ms)',
      '→ checkout', '✓ checkout (n ms)',
      '→ package',
      '  package-release ▸ → osop:init', '  package-release ▸ ✓ osop:init (n ms)',
      '  package-release ▸ → build', '  package-release ▸ ✓ build (n ms)',
      '  package-release ▸ → sign_off',
      '  package-release ▸ ⏸ sign_off waits for approval by release-manager: Publish the artifact?',
      '  package-release ▸ ▶ sign_off approved by alice (--approve): ok',
      '  package-release ▸ ✓ sign_off (n ms)',
      '  package-release ▸ → sign_off:answer', '  package-release ▸ ✓ sign_off:answer (n ms)',
      '  package-release ▸ → osop:done', '  package-release ▸ ✓ osop:done (n ms)',
      '✓ package (n ms)',
      '→ announce', '✓ announce (n ms)',
    ]);
  });

  test("a failed child fails the parent's Task with States.TaskFailed, the child's error and cause in the cause", async () => {
    const r = await cli(['run', RELEASE, '--approve', 'sign_off=rejected:not yet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: +States\.TaskFailed\n/);
    const cause = JSON.parse(/cause: +(.*)\n/.exec(r.stdout)![1]);
    expect(cause).toMatchObject({ Status: 'FAILED', Error: 'OSOP.Approval.Rejected', Cause: 'not yet', Input: { channel: 'stable' } });
    expect(cause.ExecutionArn).toMatch(/^arn:aws:states:local:000000000000:execution:package-release:/);
  });

  test("a child's approvals need answers too", async () => {
    const r = await cli(['run', RELEASE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^osop-sfn: The workflow waits for approval at sign_off \(in package-release\), and there is no terminal to ask on/);
  });

  test("a child's secrets are needed too (locally, environment variables)", async () => {
    const wf = fs.mkdtempSync(path.join(dir, 'secret-'));
    fs.writeFileSync(path.join(wf, 'parent.osop.yaml'), 'osop_version: "1.1"\nid: parent\nname: P\nnodes:\n  - id: run_child\n    type: system\n    workflow_ref: child\nedges: []\n');
    fs.writeFileSync(path.join(wf, 'child.osop.yaml'), 'osop_version: "1.1"\nid: child\nname: C\nnodes:\n  - id: call\n    type: api\n    runtime: { method: GET, url: "https://ci.example.com/status", headers: { Authorization: "Bearer ${secrets.CI_TOKEN}" } }\nedges: []\n');
    const r = await cli(['run', path.join(wf, 'parent.osop.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^osop-sfn: The workflow reads the secret\(s\) CI_TOKEN; locally each is the environment variable of that name/);
  });

  test('a child that does not compile: its diagnostics, exit 1, nothing run', async () => {
    const wf = fs.mkdtempSync(path.join(dir, 'child-'));
    fs.writeFileSync(path.join(wf, 'parent.osop.yaml'), 'osop_version: "1.1"\nid: parent\nname: P\nnodes:\n  - id: run_child\n    type: system\n    workflow_ref: child\nedges: []\n');
    fs.writeFileSync(path.join(wf, 'child.osop.yaml'), 'osop_version: "1.1"\nid: child\nname: C\nnodes:\n  - id: a\n    type: system\n    subtype: router\n  - id: b\n    type: system\n    subtype: router\nedges:\n  - { from: a, to: b, mode: conditional, when: "nope.x == 1" }\n');
    const r = await cli(['run', path.join(wf, 'parent.osop.yaml'), '--progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/child\.osop\.yaml:12:\d+ - error OSOP3007: 'nope\.x' refers to 'nope'/);
    expect(r.stderr).toMatch(/osop-sfn: The sub-workflow 'child' \(.*child\.osop\.yaml, started by 'run_child'\) does not compile\.\n$/);
    expect(r.stderr).not.toMatch(/→ run_child/);
  });
});

test('AWS service integrations still cannot run locally: exit 1, pointing to osop-sfn test', async () => {
  const r = await cli(['run', BINDINGS]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe("osop-sfn: The Task state(s) 'announce' (arn:aws:states:::sns:publish) in bindings call AWS services, which cannot run locally. Test the workflow with `osop-sfn test` (mocks in its tests: section), or run it on Step Functions (--endpoint or --state-machine-arn).\n");
});
