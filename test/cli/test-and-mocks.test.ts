/** `osop-sfn test` and `osop-sfn mocks` as users run them (the built CLI). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, SEED } from '../helpers/paths';
import { cli, ensureBuilt } from './helpers';

const LOOPBACK_ONLY = `--require ${path.join(__dirname, 'loopback-only.js')}`;
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-test-cmd-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const seedText = fs.readFileSync(SEED, 'utf8');
function workflowWithTests(name: string, tests: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${seedText.slice(0, seedText.indexOf('\ntests:'))}\ntests:\n${tests}`);
  return file;
}

test("the seed's tests pass: one line per case, a count, exit 0, no network and no secret needed", async () => {
  const r = await cli(['test', SEED], {}, { nodeOptions: LOOPBACK_ONLY });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.replace(/\(\d+ ms\)/g, '(n ms)')).toBe(
    [
      '✓ happy_path (n ms)',
      '✓ declined_card_takes_the_fallback_edge_then_succeeds (n ms)',
      '✓ fallback_exhausted (n ms)',
      '✓ requires_action_sends_no_receipt (n ms)',
      '✓ transient_error_on_confirm_is_retried (n ms)',
      '',
      '5 passed, 0 failed',
      '',
    ].join('\n'),
  );
});

test('a failing case and a case that cannot run: both reported, exit 1', async () => {
  const file = workflowWithTests('failing.osop.yaml', `  - id: wrong_status
    mocks:
      create_customer: { outputs: { customer_id: "cus_1" } }
      create_intent: { outputs: { intent_id: "pi_1", client_secret: "s" } }
      confirm_payment: { outputs: {} }
      check_status: { outputs: { status: "requires_action" } }
    expect: { status: failed }
  - id: unmocked
    mocks:
      create_customer: { outputs: { customer_id: "cus_1" } }
    expect: { status: succeeded }
`);
  const r = await cli(['test', file]);
  expect(r.code).toBe(1);
  expect(r.stdout.replace(/\(\d+ ms\)/g, '(n ms)')).toBe(
    [
      '✗ wrong_status (n ms)',
      '    status: expected failed, got succeeded',
      '✗ unmocked (n ms)',
      "    error: 'create_intent' was called but the test has no mock for it (tests never call the network); add mocks.create_intent.",
      '',
      '0 passed, 2 failed',
      '',
    ].join('\n'),
  );
});

test('a malformed test: its diagnostic with position, the others still run, exit 1', async () => {
  const file = workflowWithTests('malformed.osop.yaml', `  - id: typo
    mocks:
      create_custmer: { outputs: {} }
    expect: { status: succeeded }
`);
  const r = await cli(['test', file]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/malformed\.osop\.yaml:\d+:\d+ - error OSOP6003: test 'typo': 'create_custmer' is not a Task node of the workflow, so it cannot be mocked\./);
  expect(r.stderr).toContain("Did you mean 'create_customer'?");
  expect(r.stdout).toBe('\n0 passed, 0 failed, 1 invalid test not run\n');
});

test('--case runs one test; an unknown one is a usage error', async () => {
  const one = await cli(['test', SEED, '--case', 'fallback_exhausted']);
  expect(one.code).toBe(0);
  expect(one.stdout).toMatch(/^✓ fallback_exhausted \(\d+ ms\)\n\n1 passed, 0 failed\n$/);
  const unknown = await cli(['test', SEED, '--case', 'nope']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^osop-sfn: no test named 'nope' in .*\. Tests: happy_path, /);
});

test('a workflow without tests: exit 1 with what to add', async () => {
  const file = path.join(dir, 'no-tests.osop.yaml');
  fs.writeFileSync(file, seedText.slice(0, seedText.indexOf('\ntests:')));
  const r = await cli(['test', file]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/error OSOP6005: The workflow has no tests\./);
});

test('mocks: the Step Functions Local configuration on stdout or in a file', async () => {
  const r = await cli(['mocks', SEED]);
  expect(r.code).toBe(0);
  const config = JSON.parse(r.stdout);
  expect(Object.keys(config)).toEqual(['StateMachines', 'MockedResponses']);
  expect(Object.keys(config.StateMachines['sop-stripe-payment'].TestCases)).toHaveLength(5);
  const out = path.join(dir, 'MockConfigFile.json');
  expect((await cli(['mocks', SEED, '-o', out])).code).toBe(0);
  expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(config);
});

test('mocks writes nothing when a test is malformed', async () => {
  const file = workflowWithTests('malformed-mocks.osop.yaml', `  - id: t
    mocks: { nowhere: { outputs: {} } }
    expect: { status: succeeded }
`);
  const r = await cli(['mocks', file]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain("'nowhere' is not a Task node of the workflow");
});

test('user handler and sub-workflow nodes are mocked like the others (the sub-workflow by its outputs)', async () => {
  const r = await cli(['test', path.join(FIXTURES, 'local', 'release.osop.yaml')], {}, { nodeOptions: LOOPBACK_ONLY });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.replace(/\(\d+ ms\)/g, '(n ms)')).toBe('✓ released (n ms)\n✓ the_child_fails (n ms)\n\n2 passed, 0 failed\n');
});
