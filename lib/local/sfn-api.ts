/**
 * Runs a workflow on a Step Functions API (AWS itself, or Step Functions
 * Local through `endpoint`): creates or updates the state machine unless
 * one is named, starts an execution, and follows its history.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';
import { substitute } from './definition';
import type { ExecutionOutcome, RunEvent } from './events';
import { explainRuntimeEvent, explainRuntimeOutcome } from './runtime-errors';
import { HistoryTranslator } from './history';
import { stateMachineName } from './run-local';

type Sdk = typeof import('@aws-sdk/client-sfn');

export interface ApiRunRequest {
  definition: AslDefinition;
  report: CompileReport;
  input: unknown;
  /** Step Functions Local or another endpoint; AWS itself when absent. */
  endpoint?: string;
  region?: string;
  /** Run this state machine instead of creating one. */
  stateMachineArn?: string;
  /** Lambda ARN of each handler, for the definition's substitutions. */
  functionArns: Partial<Record<HandlerKind, string>>;
  /** Execution role for a state machine this creates. */
  roleArn?: string;
  /** A Step Functions Local mock test case (`<arn>#<case>`). */
  testCase?: string;
  pollIntervalMs: number;
  onEvent?: (e: RunEvent) => void;
}

/** A problem with the request itself (exit 2), not with the execution. */
export class ApiUsageError extends Error {}

/** Step Functions Local accepts any role; AWS needs a real one. */
const LOCAL_DUMMY_ROLE = 'arn:aws:iam::012345678901:role/DummyRole';

export async function runOnStepFunctions(req: ApiRunRequest): Promise<ExecutionOutcome> {
  // Loaded here, not imported: only `run --endpoint` needs the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-sfn') as Sdk;
  const client = new sdk.SFNClient({ ...(req.endpoint && { endpoint: req.endpoint }), region: req.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1' });
  const machineArn = req.stateMachineArn ?? (await deployStateMachine(sdk, client, req));
  const startedAt = Date.now();
  const started = await client.send(
    new sdk.StartExecutionCommand({ stateMachineArn: req.testCase ? `${machineArn}#${req.testCase}` : machineArn, name: randomUUID(), input: JSON.stringify(req.input) }),
  );
  return follow(sdk, client, req, started.executionArn!, startedAt);
}

/**
 * Polls the history until the execution ends, passing on only the events not
 * seen before: a history read to its end gives no token to go on from, so
 * each poll reads it from the start (executions of a workflow are short).
 */
async function follow(sdk: Sdk, client: SFNClient, req: ApiRunRequest, executionArn: string, startedAt: number): Promise<ExecutionOutcome> {
  const events: RunEvent[] = [];
  // A States.Runtime from AWS is explained in OSOP terms as in local runs (the node, the ${...} that had no value).
  const translator = new HistoryTranslator(req.definition, (raw) => {
    const e = explainRuntimeEvent(raw, req.report);
    events.push(e);
    req.onEvent?.(e);
  });
  let seen = 0;
  for (;;) {
    let token: string | undefined;
    do {
      const page = await client.send(new sdk.GetExecutionHistoryCommand({ executionArn, nextToken: token, maxResults: 1000 }));
      for (const e of (page.events ?? []) as HistoryEvent[]) {
        if ((e.id ?? 0) <= seen) continue;
        seen = e.id ?? seen;
        translator.push(e);
      }
      token = page.nextToken;
    } while (token);
    if (translator.terminal) return explainRuntimeOutcome(outcomeOf(translator, events, startedAt, executionArn));
    await sleep(req.pollIntervalMs);
  }
}

function outcomeOf(t: HistoryTranslator, events: RunEvent[], startedAt: number, executionArn: string): ExecutionOutcome {
  const end = t.terminal!;
  const base = { startedAt, endedAt: Date.now(), events, executionArn };
  return end.status === 'SUCCEEDED' ? { ...base, status: 'SUCCEEDED', output: end.output } : { ...base, status: end.status, error: end.error, cause: end.cause };
}

/** Creates the workflow's state machine, or updates the one of the same name, and returns its ARN. */
async function deployStateMachine(sdk: Sdk, client: SFNClient, req: ApiRunRequest): Promise<string> {
  const deployed = [...req.report.customHandlers.map((c) => `the user handler of '${c.node}'`), ...req.report.subWorkflows.map((w) => `the sub-workflow '${w.workflowId}'`)];
  if (deployed.length) throw new ApiUsageError(`The workflow needs ${deployed.join(', ')} deployed first: deploy it with CDK (npx cdk deploy) and run it with --state-machine-arn.`);
  const values: Record<string, string> = {};
  for (const [kind, key] of Object.entries(req.report.substitutions) as [HandlerKind, string][]) {
    const arn = req.functionArns[kind];
    if (!arn) throw new ApiUsageError(`The workflow invokes the ${kind} handler: give its Lambda ARN with --function-arn ${kind}=ARN (or ${functionArnEnv(kind)}).`);
    values[key] = arn;
  }
  const roleArn = req.roleArn ?? (req.endpoint ? LOCAL_DUMMY_ROLE : undefined);
  if (!roleArn) throw new ApiUsageError('Creating a state machine on AWS needs --role-arn; or deploy with CDK and pass --state-machine-arn.');
  const name = stateMachineName(req.report.workflowId);
  const definition = JSON.stringify(substitute(req.definition, values));
  const existing = await findStateMachine(sdk, client, name);
  if (existing) {
    await client.send(new sdk.UpdateStateMachineCommand({ stateMachineArn: existing, definition, roleArn }));
    return existing;
  }
  const created = await client.send(new sdk.CreateStateMachineCommand({ name, definition, roleArn, type: 'STANDARD' }));
  return created.stateMachineArn!;
}

async function findStateMachine(sdk: Sdk, client: SFNClient, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new sdk.ListStateMachinesCommand({ nextToken }));
    const hit = page.stateMachines?.find((m) => m.name === name);
    if (hit) return hit.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The environment variable that gives a handler's Lambda ARN when --function-arn does not. */
export function functionArnEnv(kind: HandlerKind): string {
  return `OSOP_${kind.toUpperCase()}_HANDLER_ARN`;
}
