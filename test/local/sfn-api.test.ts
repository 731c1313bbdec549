/**
 * The `--endpoint` / `--state-machine-arn` path against a mocked Step
 * Functions API (aws-sdk-client-mock): AWS itself is the one thing mocked.
 * The histories are shaped as Step Functions writes them for lambda:invoke
 * tasks (TaskScheduled/TaskFailed/..., Lambda's JSON error envelope as cause).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'yaml';
import { compile } from '../../lib';
import { main } from '../../lib/cli/main';
import type { RunEvent } from '../../lib/local/events';
import { ApiUsageError, runOnStepFunctions, type ApiRunRequest } from '../../lib/local/sfn-api';
import { FIXTURES, SEED } from '../helpers/paths';
import { compileSeed } from './helpers';

const seed = compileSeed();
const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:sop-stripe-payment';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:sop-stripe-payment:run-1';
const REST = 'arn:aws:lambda:us-east-1:123456789012:function:osop-rest';
const AGENT = 'arn:aws:lambda:us-east-1:123456789012:function:osop-agent';

/** A history builder: ids and timestamps as Step Functions numbers them. */
function history() {
  const events: HistoryEvent[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const add = (type: string, details: Partial<HistoryEvent> = {}) => events.push({ id: events.length + 1, type, timestamp: new Date(t0 + events.length * 10), ...details } as HistoryEvent);
  const lambdaError = (error: string, message: string) => ({ error, cause: JSON.stringify({ errorType: error, errorMessage: message, trace: [] }) });
  const h = {
    events,
    state(type: string, name: string, output: unknown = {}) {
      add(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: '{}' } });
      if (type === 'Task') add('TaskScheduled', { taskScheduledEventDetails: { resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{}' } });
      add(`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
      return h;
    },
    taskFailing(name: string, failures: [string, string][], then: 'succeeds' | 'caught' | 'fails', output: unknown = {}) {
      add('TaskStateEntered', { stateEnteredEventDetails: { name, input: '{}' } });
      for (const [error, message] of failures) {
        add('TaskScheduled', { taskScheduledEventDetails: { resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{}' } });
        add('TaskStarted', {});
        add('TaskFailed', { taskFailedEventDetails: { resource: 'invoke', resourceType: 'lambda', ...lambdaError(error, message) } });
      }
      if (then === 'succeeds') {
        add('TaskScheduled', { taskScheduledEventDetails: { resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{}' } });
        add('TaskSucceeded', { taskSucceededEventDetails: { resource: 'invoke', resourceType: 'lambda', output: '{}' } });
      }
      if (then !== 'fails') add('TaskStateExited', { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
      return h;
    },
    end(type: 'ExecutionSucceeded' | 'ExecutionFailed', details: Partial<HistoryEvent>) {
      add(type, details);
      return h;
    },
  };
  add('ExecutionStarted', { executionStartedEventDetails: { input: '{}', roleArn: 'r' } });
  return h;
}

const OUTPUT = { create_customer: { customer_id: 'cus_1' }, check_status: { status: 'succeeded' }, send_receipt: { text: 'receipt', model: 'claude-sonnet-4-6', usage: { input_tokens: 10, output_tokens: 20 } } };
const declinedThenRetried = () =>
  history()
    .state('Pass', 'osop:init')
    .state('Task', 'create_customer', { outputs: { create_customer: { customer_id: 'cus_1' } } })
    .state('Task', 'create_intent')
    .taskFailing('confirm_payment', [['OSOP.Http.Rejected', 'POST … returned 402: Your card was declined. (code card_declined)']], 'caught')
    .state('Choice', 'confirm_payment:fallback')
    .state('Pass', 'confirm_payment:fallback-count')
    .state('Task', 'create_intent')
    .taskFailing('confirm_payment', [['OSOP.Http.Transient', 'POST … returned 500']], 'succeeds')
    .state('Task', 'check_status')
    .state('Choice', 'check_status:route')
    .state('Task', 'send_receipt', OUTPUT)
    .end('ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(OUTPUT) } }).events;

function request(over: Partial<ApiRunRequest> = {}): ApiRunRequest {
  return { ...seed, input: { a: 1 }, endpoint: 'http://127.0.0.1:8083', functionArns: { rest: REST, agent: AGENT }, pollIntervalMs: 0, ...over };
}

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: MACHINE, creationDate: new Date() });
  sfn.on(UpdateStateMachineCommand).resolves({ updateDate: new Date() });
});

test('creates the state machine with the handler ARNs substituted, starts it, and follows the history as it grows', async () => {
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  const full = declinedThenRetried();
  sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: full.slice(0, 9) }).resolves({ events: full });
  const seen: RunEvent[] = [];
  const o = await runOnStepFunctions(request({ onEvent: (e) => seen.push(e) }));

  const create = sfn.commandCalls(CreateStateMachineCommand)[0].args[0].input;
  expect(create).toMatchObject({ name: 'sop-stripe-payment', type: 'STANDARD', roleArn: expect.stringMatching(/^arn:aws:iam::/) });
  const definition = JSON.parse(create.definition!);
  expect(create.definition).not.toMatch(/\$\{(RestHandlerArn|AgentHandlerArn)\}/);
  expect(definition.States.create_customer.Parameters.FunctionName).toBe(REST);
  expect(definition.States.send_receipt.Parameters.FunctionName).toBe(AGENT);
  // Nothing else changes: the secret placeholders stay for the handler to fill.
  const original = seed.definition.States.check_status as { Parameters: object };
  expect(definition.States.check_status).toEqual({ ...original, Parameters: { ...original.Parameters, FunctionName: REST } });
  expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toMatchObject({ stateMachineArn: MACHINE, input: '{"a":1}' });

  expect(o).toMatchObject({ status: 'SUCCEEDED', output: OUTPUT, executionArn: EXECUTION });
  expect(seen).toEqual(o.events);
  // Each event once, though the first page was read twice.
  expect(o.events.filter((e) => e.kind === 'entered').map((e) => e.state)).toEqual(full.filter((e) => e.type!.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name));
  expect(o.events.filter((e) => e.kind !== 'entered' && e.kind !== 'succeeded')).toEqual([
    expect.objectContaining({ kind: 'caught', state: 'confirm_payment', error: 'OSOP.Http.Rejected', cause: 'POST … returned 402: Your card was declined. (code card_declined)', next: 'confirm_payment:fallback' }),
    expect.objectContaining({ kind: 'retried', state: 'confirm_payment', error: 'OSOP.Http.Transient', cause: 'POST … returned 500', attempt: 2 }),
  ]);
});

test('updates the state machine of the same name instead of creating a second one', async () => {
  sfn.on(ListStateMachinesCommand).resolvesOnce({ stateMachines: [], nextToken: 'p2' }).resolves({ stateMachines: [{ name: 'sop-stripe-payment', stateMachineArn: MACHINE, type: 'STANDARD', creationDate: new Date() }] });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: declinedThenRetried() });
  await runOnStepFunctions(request());
  expect(sfn.commandCalls(CreateStateMachineCommand)).toHaveLength(0);
  expect(sfn.commandCalls(UpdateStateMachineCommand)[0].args[0].input).toMatchObject({ stateMachineArn: MACHINE });
});

test('a named state machine is run as it is; a Step Functions Local test case is appended to its ARN', async () => {
  sfn.on(GetExecutionHistoryCommand).resolves({ events: declinedThenRetried() });
  await runOnStepFunctions(request({ stateMachineArn: MACHINE, testCase: 'happy_path', functionArns: {} }));
  expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
  expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(`${MACHINE}#happy_path`);
});

test('a failed execution: the failing task and the execution error, the cause unwrapped from Lambda\'s envelope', async () => {
  const events = history()
    .state('Pass', 'osop:init')
    .taskFailing('create_customer', [['OSOP.Config', 'Secret STRIPE_SECRET_KEY is not set']], 'fails')
    .end('ExecutionFailed', { executionFailedEventDetails: { error: 'OSOP.Config', cause: JSON.stringify({ errorType: 'OSOP.Config', errorMessage: 'Secret STRIPE_SECRET_KEY is not set' }) } }).events;
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  sfn.on(GetExecutionHistoryCommand).resolves({ events });
  const o = await runOnStepFunctions(request());
  expect(o).toMatchObject({ status: 'FAILED', error: 'OSOP.Config', cause: 'Secret STRIPE_SECRET_KEY is not set' });
  expect(o.events.at(-1)).toMatchObject({ kind: 'failed', state: 'create_customer', error: 'OSOP.Config' });
});

test('a States.Runtime in the history is explained in OSOP terms, as in local runs: the node and the ${...} that had no value', async () => {
  const cause = "An error occurred while executing the state 'create_customer' (entered at the event id #4). The JSONPath '$.input.customer_email' specified for the field 'email.$' could not be found in the input '{}'";
  const events = history()
    .state('Pass', 'osop:init')
    .taskFailing('create_customer', [], 'fails')
    .end('ExecutionFailed', { executionFailedEventDetails: { error: 'States.Runtime', cause } }).events;
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  sfn.on(GetExecutionHistoryCommand).resolves({ events });
  const o = await runOnStepFunctions(request());
  expect(o).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  expect(o.cause).toContain("In OSOP terms, in node 'create_customer' (state 'create_customer'): ${inputs.customer_email} has no value: the execution input has no 'customer_email'");
  expect(o.events.at(-1)).toMatchObject({ kind: 'failed', cause: o.cause });
});

test('what a created state machine needs is asked for: handler ARNs, and a role on AWS', async () => {
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  await expect(runOnStepFunctions(request({ functionArns: { rest: REST } }))).rejects.toThrow(new ApiUsageError('The workflow invokes the agent handler: give its Lambda ARN with --function-arn agent=ARN (or OSOP_AGENT_HANDLER_ARN).'));
  await expect(runOnStepFunctions(request({ endpoint: undefined }))).rejects.toThrow('Creating a state machine on AWS needs --role-arn; or deploy with CDK and pass --state-machine-arn.');
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

test('approvals: the approval handler ARN is substituted; user handlers and sub-workflows must be deployed first', async () => {
  const approval = compile(path.join(FIXTURES, 'graph', 'approval.osop.yaml'));
  const APPROVAL = 'arn:aws:lambda:us-east-1:123456789012:function:osop-approval';
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  sfn.on(CreateStateMachineCommand).resolves({ stateMachineArn: MACHINE });
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history().end('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } }).events });
  await runOnStepFunctions(request({ definition: approval.definition!, report: approval.report!, functionArns: { rest: REST, approval: APPROVAL } }));
  const created = JSON.parse(sfn.commandCalls(CreateStateMachineCommand)[0].args[0].input.definition!);
  expect(created.States.approve.Parameters.FunctionName).toBe(APPROVAL);
  const bindings = compile(path.join(FIXTURES, 'graph', 'bindings.osop.yaml'));
  await expect(runOnStepFunctions(request({ definition: bindings.definition!, report: bindings.report! }))).rejects.toThrow(
    new ApiUsageError("The workflow needs the user handler of 'checkout', the sub-workflow 'etl-pipeline' deployed first: deploy it with CDK (npx cdk deploy) and run it with --state-machine-arn."),
  );
});

describe('osop-sfn run --endpoint (in-process, the SDK mocked)', () => {
  let out = '';
  let err = '';
  let dir: string;
  beforeEach(() => {
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-endpoint-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('progress, output and an execution record from the history', async () => {
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: declinedThenRetried() });
    const log = path.join(dir, 'run.osoplog.yaml');
    const code = await main(['run', SEED, '--endpoint', 'http://127.0.0.1:8083', '--function-arn', `rest=${REST}`, '--function-arn', `agent=${AGENT}`, '--progress', '--output', 'json', '--log', log]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(OUTPUT);
    expect(err).toMatch(/⤷ confirm_payment caught OSOP\.Http\.Rejected: .* → fallback edge confirm_payment → create_intent/);
    expect(err).toMatch(/↻ confirm_payment retry \(attempt 2\) after OSOP\.Http\.Transient/);
    const record = parse(fs.readFileSync(log, 'utf8'));
    expect(record).toMatchObject({ status: 'COMPLETED', execution_arn: EXECUTION, runtime: { engine: 'aws-step-functions' } });
    expect(record.node_records.find((n: { node_id: string }) => n.node_id === 'send_receipt').ai_metadata).toEqual({ provider: 'anthropic', model: 'claude-sonnet-4-6', prompt_tokens: 10, completion_tokens: 20 });
  });

  test('an API refusal is an error message and exit 1, not a stack trace', async () => {
    sfn.on(ListStateMachinesCommand).rejects(Object.assign(new Error('User is not authorized to perform: states:ListStateMachines'), { name: 'AccessDeniedException' }));
    const code = await main(['run', SEED, '--endpoint', 'http://127.0.0.1:8083', '--function-arn', `rest=${REST}`, '--function-arn', `agent=${AGENT}`]);
    expect(code).toBe(1);
    expect(err).toBe('osop-sfn: AccessDeniedException: User is not authorized to perform: states:ListStateMachines\n');
  });
});
