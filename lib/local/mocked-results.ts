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
 *   other service integration    → the service's own result, as given
 */
import { randomUUID } from 'node:crypto';
import type { AslDefinition, TaskReport } from '../types';
import { stateNamed } from './definition';
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
    case 'eventbridge':
      return { Entries: [{ EventId: typeof outputs.event_id === 'string' ? outputs.event_id : randomUUID() }], FailedEntryCount: 0 };
    default:
      return outputs;
  }
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

/** As Step Functions Local's mock configuration documents a lambda:invoke result. */
const lambdaResult = (payload: unknown) => ({ StatusCode: 200, Payload: payload });

/** The output names the state's ResultSelector reads (`$.Payload.<name>`, `$.Output.<name>`, `$.<name>`) that a mocked result lacks. */
export function missingOutputs(definition: AslDefinition, state: string, task: TaskReport | undefined, result: unknown): string[] {
  const field = task?.local.kind === 'lambda' || task?.local.kind === 'custom' ? 'Payload' : task?.local.kind === 'subworkflow' ? 'Output' : task?.local.kind === 'callback' || task?.local.kind === 'none' ? '' : undefined;
  if (field === undefined) return [];
  const at = field ? `$.${field}.` : '$.';
  const holder = ((field ? (result as Record<string, unknown>)[field] : result) ?? {}) as Record<string, unknown>;
  const selector = (stateNamed(definition, state)?.ResultSelector ?? {}) as Record<string, unknown>;
  return Object.values(selector)
    .map((p) => (typeof p === 'string' && p.startsWith(at) ? /^[A-Za-z0-9_]+/.exec(p.slice(at.length))?.[0] : undefined))
    .filter((n): n is string => n !== undefined && !(n in holder));
}
