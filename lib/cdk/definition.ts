/**
 * What the compiled definition asks of the deployment: the Task states that
 * invoke a handler (by definition substitution), how long each waits for it,
 * the secrets its payloads name, and anything this deployment cannot grant.
 */
import type { AslDefinition, CompileReport, HandlerKind } from '../types';

export interface HandlerTask {
  state: string;
  kind: HandlerKind;
  /** The Task's own TimeoutSeconds: how long Step Functions waits for the function. */
  timeoutSeconds?: number;
  /** Secret names the handler may read for this Task: `secretFields` values and an agent's `apiKeySecret`. */
  secrets: string[];
}

export interface OtherTask {
  state: string;
  /** `arn:aws:states:::dynamodb:putItem`, or the Lambda invoke with the function it names. */
  resource: string;
}

type State = Record<string, unknown>;
type States = Record<string, State>;

const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** Every Task state, including those inside Parallel branches and Map processors: handler Tasks and the rest. */
export function tasksOf(definition: AslDefinition, report: CompileReport): { handlerTasks: HandlerTask[]; otherTasks: OtherTask[] } {
  const kindOf = new Map(Object.entries(report.substitutions).map(([kind, key]) => [`\${${key}}`, kind as HandlerKind]));
  const handlerTasks: HandlerTask[] = [];
  const otherTasks: OtherTask[] = [];
  const visit = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const params = state.Parameters as { FunctionName?: unknown; Payload?: Record<string, unknown> } | undefined;
        const resource = String(state.Resource);
        const kind = LAMBDA_INVOKE.test(resource) && typeof params?.FunctionName === 'string' ? kindOf.get(params.FunctionName) : undefined;
        if (kind) handlerTasks.push({ state: name, kind, timeoutSeconds: typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined, secrets: payloadSecrets(params?.Payload) });
        else otherTasks.push({ state: name, resource: typeof params?.FunctionName === 'string' ? `${resource} of ${params.FunctionName}` : resource });
      }
      for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States);
  return { handlerTasks, otherTasks };
}

/** `${Key}` definition substitutions the definition uses (secret placeholders, `${secrets.X}`, have a dot and are not these). */
export function substitutionKeysOf(definition: AslDefinition): string[] {
  return [...new Set([...JSON.stringify(definition).matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))].sort();
}

function payloadSecrets(payload: Record<string, unknown> | undefined): string[] {
  if (!payload) return [];
  const fields = (payload.secretFields ?? {}) as Record<string, unknown>;
  const names = Object.values(fields).flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
  if (typeof payload.apiKeySecret === 'string') names.push(payload.apiKeySecret);
  return names;
}
