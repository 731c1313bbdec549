/**
 * The execution record of real runs (seed, real handlers, sandbox) validates
 * against the OSOP osoplog schema and holds no secret value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import type { ExecutionOutcome } from '../../lib/local/events';
import { buildRecord, writeRecord } from '../../lib/local/record';
import { runLocally } from '../../lib/local/run-local';
import { secretNames, secretRedactor } from '../../lib/local/secrets';
import { startSandbox, type Sandbox } from '../../sandbox';
import { SHARED } from '../helpers/paths';
import { compileSeed } from './helpers';

const schema = JSON.parse(fs.readFileSync(path.join(SHARED, 'osop-spec', 'osoplog.schema.json'), 'utf8'));
// The schema's date-time formats are checked by hand below (ajv-formats is not a dependency).
const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
const seed = compileSeed();
let sandbox: Sandbox;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'osoplog-'));
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function recordOf(outcome: ExecutionOutcome): Promise<{ text: string; record: Record<string, any> }> {
  const redactor = secretRedactor(secretNames(seed.report), sandbox.env);
  const file = path.join(dir, `${outcome.executionArn.split(':').pop()}.osoplog.yaml`);
  writeRecord(file, buildRecord(outcome, { ...seed, engine: 'aws-local-stepfunctions', source: 'test', redactor }));
  const text = fs.readFileSync(file, 'utf8');
  return { text, record: parse(text) };
}

function expectValid(record: unknown): void {
  const ok = validate(record);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  const r = record as Record<string, any>;
  for (const t of [r.started_at, r.ended_at, ...r.node_records.flatMap((n: any) => [n.started_at, n.ended_at].filter(Boolean))]) {
    expect(new Date(t).toISOString()).toBe(t);
  }
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(sandbox.env.STRIPE_SECRET_KEY);
  expect(text).not.toContain(sandbox.env.ANTHROPIC_API_KEY);
  expect(text).not.toMatch(/sk_test_sandbox|sk-ant-sandbox/);
}

test('a successful run: per node status, duration, attempts, outputs, and the model and token usage of the agent node', async () => {
  sandbox.llm.injectOverloaded(1);
  const outcome = await runLocally({ ...seed, input: {}, fast: true, routes: sandbox.routes, env: sandbox.env });
  const { text, record } = await recordOf(outcome);
  expectValid(record);
  expectNoSecret(text);
  expect(record).toMatchObject({ osoplog_version: '1.0', workflow_id: 'sop-stripe-payment', status: 'COMPLETED', transitions: 6 });
  expect(record.node_records.map((n: any) => [n.node_id, n.status, n.attempt])).toEqual([
    ['create_customer', 'COMPLETED', 1],
    ['create_intent', 'COMPLETED', 1],
    ['confirm_payment', 'COMPLETED', 1],
    ['check_status', 'COMPLETED', 1],
    ['send_receipt', 'COMPLETED', 2],
  ]);
  const receipt = record.node_records[4];
  expect(receipt.node_type).toBe('agent');
  expect(receipt.ai_metadata).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6', prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  expect(receipt.ai_metadata.prompt_tokens).toBeGreaterThan(0);
  expect(receipt.retries).toEqual([{ error: 'OSOP.Llm.Transient', cause: expect.stringContaining('529') }]);
  expect(record.node_records[0].outputs).toEqual({ customer_id: expect.stringMatching(/^cus_/) });
});

test('a failed run: failed rounds, the error, the nodes never reached', async () => {
  sandbox.stripe.payWith(Array(4).fill('pm_card_chargeDeclined'));
  const outcome = await runLocally({ ...seed, input: {}, fast: true, routes: { 'https://api.stripe.com': sandbox.stripeUrl }, env: sandbox.env });
  expect(outcome.status).toBe('FAILED');
  const { text, record } = await recordOf(outcome);
  expectValid(record);
  expectNoSecret(text);
  expect(record.status).toBe('FAILED');
  expect(record.error).toEqual({ error: 'OSOP.FallbackExhausted', cause: expect.stringContaining('card_declined') });
  const confirms = record.node_records.filter((n: any) => n.node_id === 'confirm_payment');
  expect(confirms.map((n: any) => n.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
  expect(confirms[0].error).toMatch(/^OSOP\.Http\.Rejected: .*card_declined/);
  expect(record.node_records.filter((n: any) => n.status === 'SKIPPED').map((n: any) => n.node_id)).toEqual(['check_status', 'send_receipt']);
});

test('a secret value that reaches an output or an error is redacted from the record', async () => {
  const key = sandbox.env.STRIPE_SECRET_KEY;
  const t = Date.now();
  const outcome: ExecutionOutcome = {
    status: 'FAILED', error: 'OSOP.Http.Rejected', cause: `the API said: bad key ${key}`, startedAt: t, endedAt: t + 5, executionArn: 'arn:aws:states:local:0:execution:m:run-1',
    events: [
      { kind: 'entered', state: 'create_customer', type: 'Task', time: t },
      { kind: 'succeeded', state: 'create_customer', type: 'Task', time: t + 1, output: { outputs: { create_customer: { customer_id: `cus_${key}` } } } },
      { kind: 'entered', state: 'create_intent', type: 'Task', time: t + 2 },
      { kind: 'failed', state: 'create_intent', time: t + 5, error: 'OSOP.Http.Rejected', cause: `bad key ${encodeURIComponent(key)}` },
    ],
  };
  const { text, record } = await recordOf(outcome);
  expectValid(record);
  expectNoSecret(text);
  expect(record.node_records[0].outputs).toEqual({ customer_id: 'cus_[REDACTED]' });
  expect(record.error.cause).toBe('the API said: bad key [REDACTED]');
});
