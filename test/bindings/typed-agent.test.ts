/**
 * Routing on an LLM's classification, end to end on the local engine: the
 * Anthropic stand-in answers through a forced tool (tool use), the
 * OpenAI-compatible stand-in through a json_schema response; an invalid
 * answer is asked again once, then the node fails with OSOP.Llm.Output.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { compile } from '../../lib';
import { localApprover } from '../../lib/local/approvals';
import { statesEntered } from '../../lib/local/events';
import { bindLocalHandlers, loadLocalWorkflow } from '../../lib/local/local-workflow';
import { runLocally } from '../../lib/local/run-local';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FIXTURES } from '../helpers/paths';

const FILE = path.join(FIXTURES, 'bindings', 'support-triage.osop.yaml');
const compiled = compile(FILE);
let sandbox: Sandbox;
let billing: Server;
let billingUrl: string;
const refunds: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  billing = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      refunds.push(body);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"re_1"}');
    });
  });
  await new Promise<void>((resolve) => billing.listen(0, '127.0.0.1', resolve));
  billingUrl = `http://127.0.0.1:${(billing.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => billing.close(resolve));
});
beforeEach(() => {
  sandbox.llm.reset();
  sandbox.openai.reset();
});

async function triage(ticket: string) {
  const w = loadLocalWorkflow(FILE, { definition: compiled.definition!, report: compiled.report! });
  const handlers = bindLocalHandlers(w, { approver: localApprover(new Map(), undefined), userHandlers: new Map(), fast: true, completions: new Map([['escalate', { done: true, outputs: { paged: 'on-call' } }]]) });
  return runLocally({ definition: w.definition, report: w.report, input: { ticket }, fast: true, handlers, env: sandbox.env, routes: { 'https://billing.example.com': billingUrl } });
}

const nodes = new Set(compiled.report!.nodes.map((n) => n.id));
/** The nodes the execution ran, in order. */
const visited = (o: Awaited<ReturnType<typeof triage>>) => statesEntered(o.events).filter((s) => nodes.has(s));

test('the schema the model must follow comes from how the workflow reads the answer', () => {
  expect(compiled.ok).toBe(true);
  const payload = (compiled.definition!.States.classify as { Parameters: { Payload: { outputSchema: unknown } } }).Parameters.Payload;
  expect(payload.outputSchema).toEqual({
    type: 'object',
    properties: { priority: { type: 'number' }, category: { type: 'string', enum: ['refund', 'question'] } },
    required: ['priority', 'category'],
    additionalProperties: false,
  });
});

test('Anthropic (tool use) answers category refund: the refund is called', async () => {
  sandbox.llm.queueToolAnswers([{ priority: 1, category: 'refund' }]);
  const o = await triage('I was charged twice');
  expect(o.status).toBe('SUCCEEDED');
  expect(visited(o)).toEqual(['classify', 'refund']);
  expect((o.output as { classify: unknown }).classify).toMatchObject({ priority: 1, category: 'refund', model: 'claude-haiku-4-5' });
  expect(refunds.at(-1)).toContain('I was charged twice');
  const [req] = sandbox.llm.requests();
  expect(req.body).toMatchObject({ tool_choice: { type: 'tool', name: 'osop_output' } });
});

test('category question: the reply is drafted by an OpenAI model', async () => {
  sandbox.llm.queueToolAnswers([{ priority: 2, category: 'question' }]);
  const o = await triage('How do I export?');
  expect(visited(o)).toEqual(['classify', 'answer']);
  expect(sandbox.openai.requestCount()).toBe(1);
});

test('an invalid answer is asked again once with the validation error; the corrected one routes (priority ≥ 3 escalates)', async () => {
  sandbox.llm.queueToolAnswers([{ priority: 'high', category: 'refund' }, { priority: 4, category: 'refund' }]);
  const o = await triage('Site down');
  expect(o.status).toBe('SUCCEEDED');
  expect(visited(o)).toEqual(['classify', 'escalate']);
  expect(sandbox.llm.requestCount()).toBe(2);
  expect(JSON.stringify(sandbox.llm.requests()[1].body)).toMatch(/priority/);
});

test('invalid twice: the node fails with OSOP.Llm.Output, and nothing after it runs', async () => {
  sandbox.llm.queueToolAnswers([{ priority: 'high' }, { category: 'other' }]);
  const o = await triage('???');
  expect(o.status).toBe('FAILED');
  expect(o.error).toBe('OSOP.Llm.Output');
  expect(sandbox.llm.requestCount()).toBe(2);
});
