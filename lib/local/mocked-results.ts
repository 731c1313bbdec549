/**
 * What a mocked Task returns for a test's `outputs`, by what the Task
 * invokes, so that `osop-sfn test` and the Step Functions Local mock
 * configuration answer as the real integration would:
 *
 *   REST, agent, user handler  → a Lambda invoke result, the outputs as its Payload
 *   approval                   → the callback's output {decision, comment, approver}
 *   sub-workflow               → DescribeExecution's shape, the outputs as the child's Output
 *   other service integration  → the service's own result, as given
 */
import type { AslDefinition } from '../types';
import { stateNamed, type TaskBinding } from './definition';

export function mockedResult(binding: TaskBinding | undefined, outputs: Record<string, unknown>, agentModel: string): unknown {
  switch (binding?.kind) {
    case 'agent':
      // An agent mock may give only `text`: the rest of the handler's result gets plausible values.
      return lambdaResult({ model: agentModel, stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 }, ...outputs });
    case 'approval':
      return { comment: '', approver: 'mock', ...outputs };
    case 'subworkflow':
      return { Status: 'SUCCEEDED', Output: outputs };
    case 'service':
      return outputs;
    default:
      return lambdaResult(outputs);
  }
}

/** As Step Functions Local's mock configuration documents a lambda:invoke result. */
const lambdaResult = (payload: unknown) => ({ StatusCode: 200, Payload: payload });

/** Where the outputs sit in the Task's result: the field holding them ('' for the result itself). */
const OUTPUTS_AT: Record<TaskBinding['kind'], string> = { rest: 'Payload', agent: 'Payload', custom: 'Payload', approval: '', subworkflow: 'Output', service: '' };

/** The output names the state's ResultSelector reads that a mocked result lacks (the state would fail on them). */
export function missingOutputs(definition: AslDefinition, state: string, binding: TaskBinding | undefined, result: unknown): string[] {
  const field = OUTPUTS_AT[binding?.kind ?? 'rest'];
  const at = field ? `$.${field}.` : '$.';
  const holder = (field ? (result as Record<string, unknown>)[field] : result) as Record<string, unknown>;
  const selector = (stateNamed(definition, state)?.ResultSelector ?? {}) as Record<string, unknown>;
  return Object.values(selector)
    .map((p) => (typeof p === 'string' && p.startsWith(at) ? /^[A-Za-z0-9_]+/.exec(p.slice(at.length))?.[0] : undefined))
    .filter((n): n is string => n !== undefined && !(n in holder));
}
