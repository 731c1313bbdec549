/** `osop-sfn cost` as users run it (dist/cli.js): the table, --output json, --verify, and clear errors for bad input. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, ensureBuilt } from '../cli/helpers';

beforeAll(() => ensureBuilt());

const SEED = 'workflows/stripe-payment.osop.yaml';

test('the seed: a table of paths, the monthly estimate and the Express verdict; --verify marks every path', async () => {
  const r = await cli(['cost', SEED, '--verify']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/prices for us-east-1, taken \d{4}-\d{2}-\d{2}/);
  expect(r.stdout).toContain('every call succeeds');
  expect(r.stdout).toContain('confirm_payment fails (OSOP.Http.Rejected) every time, until its bound');
  expect(r.stdout).toMatch(/A month of 1,000,000 executions/);
  expect(r.stdout).toMatch(/Express: fits once the workflow declares timeout_sec ≤ 300/);
  const rows = r.stdout.split('\n').filter((l) => /(SUCCEEDED|OSOP\.FallbackExhausted) /.test(l));
  expect(rows.length).toBeGreaterThanOrEqual(4);
  for (const row of rows) expect(row).toMatch(/\d+ ✓$/);
}, 60_000);

test('--output json: the counted transitions equal the local runs, path by path', async () => {
  const r = await cli(['cost', SEED, '--output', 'json', '--verify', '--durations', 'send_receipt=3000,check_status=200', '--durations', 'create_customer=300', '--executions', '2000']);
  expect(r.code).toBe(0);
  const j = JSON.parse(r.stdout);
  expect(j.durations).toBe('mixed');
  expect(j.monthly.executions).toBe(2000);
  for (const p of j.paths) expect(p.verified.ran).toBe(p.transitions);
  const happy = j.paths.find((p: { kind: string }) => p.kind === 'happy');
  // 2,000 executions stay inside the 4,000 free transitions only when the happy path has at most 2
  expect(j.monthly.standard.stepFunctions).toBeCloseTo(Math.max(0, 2000 * happy.transitions - 4000) * 0.000025, 2);
}, 60_000);

test('bad input: a clear message and exit 2, never a stack', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-cost-cli-'));
  const bad = path.join(dir, 'prices.json');
  fs.writeFileSync(bad, '{"taken": 1}');
  for (const args of [
    ['--prices', bad],
    ['--prices', path.join(dir, 'none.json')],
    ['--durations', 'nope=100'],
    ['--durations', 'create_customer=fast'],
    ['--region', 'mars-north-1'],
    ['--executions', 'many'],
  ]) {
    const r = await cli(['cost', SEED, ...args]);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(/^osop-sfn cost: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
  const missing = await cli(['cost', path.join(dir, 'missing.osop.yaml')]);
  expect(missing.code).toBe(1);
}, 60_000);
