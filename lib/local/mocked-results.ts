/**
 * What a mocked Task returns for a test's `outputs`, by how the compile report
 * says the Task runs, so that `osop-sfn test` and the Step Functions Local mock
 * configuration answer as the real integration would:
 *
 *   Lambda handler, user handler → a Lambda invoke result, the outputs as its Payload
 *   approval                     → the callback's output {decision, comment, approver}
 *   manual step                  → the callback's output: the outputs as given
 *   sub-workflow                 → DescribeExecution's shape, the outputs as the child's Output
 *   CodeBuild                    → the build, the outputs as exported variables
 *   RDS Data API                 → the statement's result, `rows` as FormattedRecords
 *   EventBridge                  → PutEvents' result
 *   native HTTP Task             → the HTTP response, the outputs placed in ResponseBody where the node reads them
 *   other service integration    → the service's own result, as given
 */
import { httpTaskError } from '../contract/task-payload';
import { randomUUID } from 'node:crypto';
import type { AslDefinition, TaskReport } from '../types';
import { stateNamed } from './definition';
import { parseJsonPath } from '../../lambdas/rest/json-path';
import { lambdaCause } from './handlers';

export function mockedResult(task: TaskReport | undefined, outputs: Record<string, unknown>): unknown {
  const local = task?.local;
  switch (local?.kind) {
    case 'lambda':
    case 'custom':
      // An agent mock may give only `text`: the rest of the handler's result gets plausible values.
      return lambdaResult(task?.model ? { model: task.model.model, stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 }, ...outputs } : outputs);
    case 'callback':
      return local.answer === 'approval' ? { comment: '', approver: 'mock', ...outputs } : outputs;
    case 'subworkflow':
      return { Status: 'SUCCEEDED', Output: outputs };
    case 'codebuild': {
      const { build_id: id, status, ...exported } = outputs;
      return { Build: { Id: typeof id === 'string' ? id : `mock:${randomUUID()}`, BuildStatus: typeof status === 'string' ? status : 'SUCCEEDED', ExportedEnvironmentVariables: Object.entries(exported).map(([Name, Value]) => ({ Name, Value: String(Value) })) } };
    }
    case 'rds-data':
      return { NumberOfRecordsUpdated: typeof outputs.updated === 'number' ? outputs.updated : 0, ...(outputs.rows !== undefined ? { FormattedRecords: JSON.stringify(outputs.rows) } : {}) };
    case 'http':
      return { StatusCode: 200, StatusText: 'OK', Headers: {}, ResponseBody: responseBody(task?.responsePaths ?? {}, outputs) };
    case 'eventbridge':
      return { Entries: [{ EventId: typeof outputs.event_id === 'string' ? outputs.event_id : randomUUID() }], FailedEntryCount: 0 };
    default:
      return outputs;
  }
}

/**
 * The error a mocked Task fails with. A native HTTP Task fails with Step Functions' own names, so a test written
 * in the handler's terms keeps its meaning when the node becomes one (x-sfn: { http: native }): OSOP.Http.Transient
 * is a 503 (retried as the handler's error is), OSOP.Http.Rejected a 400, OSOP.Http.Timeout the Task's timeout.
 */
export function mockedError(task: TaskReport | undefined, error: string): string {
  return task?.local.kind === 'http' ? httpTaskError(error) : error;
}

/**
 * The cause of a mocked error as the Task would get it: a function's error
 * (a Lambda handler, a user module) in the Lambda runtime's JSON envelope,
 * other errors (Step Functions' own, a callback's SendTaskFailure, a service's) as given.
 */
export function mockedCause(task: TaskReport | undefined, error: string, cause: string): string {
  const fromFunction = (task?.local.kind === 'lambda' || task?.local.kind === 'custom') && !/^(States|Lambda)\./.test(error);
  return fromFunction ? lambdaCause(error, cause) : cause;
}

/** A response body in which each output is where its path reads it (`$.charges.data[0].id`), so the Task's ResultSelector finds it. */
function responseBody(paths: Record<string, string>, outputs: Record<string, unknown>): unknown {
  let body: unknown = {};
  for (const [name, value] of Object.entries(outputs)) {
    const segments = paths[name] ? parseJsonPath(paths[name]) : [name];
    if (!segments.length) {
      body = value;
      continue;
    }
    let holder = body as Record<string | number, unknown>;
    segments.forEach((seg, i) => {
      if (i === segments.length - 1) holder[seg] = value;
      else holder = (holder[seg] ??= typeof segments[i + 1] === 'number' ? [] : {}) as Record<string | number, unknown>;
    });
  }
  return body;
}

/** As Step Functions Local's mock configuration documents a lambda:invoke result. */
const lambdaResult = (payload: unknown) => ({ StatusCode: 200, Payload: payload });

/** The output names the state's ResultSelector reads (`$.Payload.<name>`, `$.Output.<name>`, `$.<name>`) that a mocked result lacks. */
export function missingOutputs(definition: AslDefinition, state: string, task: TaskReport | undefined, result: unknown): string[] {
  const field = task?.local.kind === 'lambda' || task?.local.kind === 'custom' ? 'Payload' : task?.local.kind === 'subworkflow' ? 'Output' : task?.local.kind === 'callback' || task?.local.kind === 'none' ? '' : undefined;
  if (field === undefined) return [];
  const at = field ? `$.${field}.` : '$.';
  const holder = ((field ? (result as Record<string, unknown>)[field] : result) ?? {}) as Record<string, unknown>;
  const selector = (stateNamed(definition, state)?.ResultSelector ?? {}) as Record<string, unknown>;
  // Nested too: a workflow's first Task selects its outputs inside the whole state data it sets up.
  const paths = (v: unknown): unknown[] => (v !== null && typeof v === 'object' ? Object.values(v).flatMap(paths) : [v]);
  return paths(selector)
    .map((p) => (typeof p === 'string' && p.startsWith(at) ? /^[A-Za-z0-9_]+/.exec(p.slice(at.length))?.[0] : undefined))
    .filter((n): n is string => n !== undefined && !(n in holder));
}
