/**
 * `osop-sfn run` as a user runs it: the built CLI in its own process, the
 * real handlers calling the stand-ins over HTTP on 127.0.0.1.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { useSandbox } from '../helpers/sandbox';
import { DEFAULT_RECEIPT_EMAIL } from '../../sandbox/llm/server';
import { SEED } from '../helpers/paths';
import { cli, ensureBuilt } from './helpers';

const LOOPBACK_ONLY = `--require ${path.join(__dirname, 'loopback-only.js')}`;
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-run-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('with --sandbox', () => {
  test('--output json prints only the final output; no progress when stderr is not a terminal; the record is written', async () => {
    const log = path.join(dir, 'happy.osoplog.yaml');
    const r = await cli(['run', SEED, '--sandbox', '--fast', '--output', 'json', '--log', log], {}, { nodeOptions: LOOPBACK_ONLY });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const output = JSON.parse(r.stdout);
    expect(output.send_receipt.text).toBe(DEFAULT_RECEIPT_EMAIL);
    expect(output.check_status).toEqual({ status: 'succeeded' });
    expect(parse(fs.readFileSync(log, 'utf8'))).toMatchObject({ status: 'COMPLETED', workflow_id: 'sop-stripe-payment' });
  });

  test('--progress: one line per state event on stderr; the summary and output on stdout', async () => {
    const r = await cli(['run', SEED, '--sandbox', '--fast', '--progress']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(lines.map((l) => l.replace(/^\[\s*[\d.]+s\] /, '').replace(/\(\d+ ms\)/, '(n ms)'))).toEqual([
      '→ create_customer', '✓ create_customer (n ms)',
      '→ create_intent', '✓ create_intent (n ms)',
      '→ confirm_payment', '✓ confirm_payment (n ms)',
      '→ check_status', '✓ check_status (n ms)',
      '→ check_status:route', '✓ check_status:route (n ms)',
      '→ send_receipt', '✓ send_receipt (n ms)',
    ]);
    expect(r.stdout).toMatch(/^status: +SUCCEEDED\nduration: +[\d.]+ s\ntransitions: +6\noutput:\n\{/);
    expect(r.stdout).toContain('send_receipt.text:\n  Subject: Your payment receipt');
  });
});

describe('against services given by the environment and --route (as against the real ones)', () => {
  const sandbox = useSandbox();
  const env = () => sandbox().env;
  const route = () => `https://api.stripe.com=${sandbox().stripeUrl}`;

  test('secrets from environment variables of the same name, ANTHROPIC_BASE_URL honoured, nothing secret printed', async () => {
    const r = await cli(['run', SEED, '--route', route(), '--fast', '--progress', '--verbose'], env());
    expect(r.code).toBe(0);
    expect(sandbox().stripe.requests.map((q) => q.headers.authorization)).toEqual(Array(4).fill(`Bearer ${sandbox().env.STRIPE_SECRET_KEY}`));
    expect(sandbox().llm.requestCount()).toBe(1);
    // --verbose shows the handlers' request log lines, credentials redacted.
    expect(r.stderr).toMatch(/"msg":"osop\.rest\.request".*"Authorization":"\[REDACTED\]"/);
    for (const secret of [sandbox().env.STRIPE_SECRET_KEY, sandbox().env.ANTHROPIC_API_KEY]) expect(r.stdout + r.stderr).not.toContain(secret);
  });

  test('a failed execution: exit 1, the error and cause printed, the progress shows each caught decline', async () => {
    sandbox().stripe.payWith(Array(4).fill('pm_card_chargeDeclined'));
    const r = await cli(['run', SEED, '--route', `https://api.stripe.com=${sandbox().stripeUrl}`, '--fast', '--progress'], env());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/status: +FAILED\n.*\n.*\nerror: +OSOP\.FallbackExhausted\ncause: +.*card_declined/);
    expect(r.stderr).toMatch(/osop-sfn: the execution failed: OSOP\.FallbackExhausted: .*card_declined/);
    expect(r.stderr.match(/⤷ confirm_payment caught OSOP\.Http\.Rejected: .* → fallback edge confirm_payment → create_intent/g)).toHaveLength(4);
    expect(r.stderr).toMatch(/✗ confirm_payment:fallback-exhausted failed OSOP\.FallbackExhausted/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--input is the execution input, from the command line or @file', async () => {
    const file = path.join(dir, 'input.json');
    fs.writeFileSync(file, '{"order": 42}');
    const r = await cli(['run', SEED, '--route', route(), '--fast', '--output', 'json', '--input', `@${file}`], env());
    expect(r.code).toBe(0);
  });
});

describe('usage and input errors: a message, no stack trace', () => {
  test.each([
    [['run', SEED, '--sandbox', '--input', '{oops'], /^osop-sfn: --input is not valid JSON \(.*\)\. Give a JSON value, or @file\.json\.\n$/],
    [['run', SEED, '--sandbox', '--input', '@/nonexistent/in.json'], /^osop-sfn: cannot read the input file '\/nonexistent\/in\.json': ENOENT\.\n$/],
    [['run', SEED, '--route', 'api.stripe.com=http://x'], /^osop-sfn: --route 'api\.stripe\.com=http:\/\/x' must be ORIGIN=URL/],
    [['run', SEED, '--sandbox', '--endpoint', 'http://127.0.0.1:8083'], /^osop-sfn: --sandbox, --route, --fast, --approve, --complete, --allow-commands and --db-init apply to local runs/],
    [['run', SEED, '--function-arn', 'rest=arn:aws:lambda:x'], /^osop-sfn: --function-arn, --role-arn and --test-case apply to runs on a Step Functions API/],
    [['run', SEED, '--endpoint', 'http://127.0.0.1:1', '--function-arn', 'lambda=x'], /^osop-sfn: --function-arn 'lambda=x' must be rest=ARN, agent=ARN or approval=ARN\.\n$/],
    [['run', SEED], /^osop-sfn: The workflow reads the secret\(s\) ANTHROPIC_API_KEY, STRIPE_SECRET_KEY; locally each is the environment variable of that name, and they are not set\. Set them, or run against the local stand-ins with --sandbox\.\n$/],
    [['run', SEED, '--output', 'yaml'], /option '--output <format>' argument 'yaml' is invalid/],
    [['run'], /missing required argument 'file'/],
    [['run', SEED, '--sandbox', '--log', '/nonexistent/dir/run.osoplog.yaml'], /^osop-sfn: --log: cannot write to the folder of '\/nonexistent\/dir\/run\.osoplog\.yaml'\.\n$/],
  ])('%j → exit 2', async (args, message) => {
    const r = await cli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('a workflow that does not compile: its diagnostics, exit 1', async () => {
    const file = path.join(dir, 'broken.osop.yaml');
    fs.writeFileSync(file, 'id: broken\nname: Broken\nnodes:\n  - id: a\n    type: api\n    runtime: { url: "https://${inputs.host}/x" }\nedges: []\n');
    const r = await cli(['run', file, '--sandbox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.osop\.yaml:\d+:\d+ - error OSOP\d{4}/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a missing file: exit 1 with the reason', async () => {
    const r = await cli(['run', path.join(dir, 'nope.osop.yaml'), '--sandbox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot find the file '.*nope\.osop\.yaml'/);
  });
});
