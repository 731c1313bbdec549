/**
 * What the compiled definition asks of the deployment: the Task states that
 * invoke a handler or a user's function (by definition substitution), how
 * long each waits for it, the secrets its payloads name, and the Tasks that
 * the compile report does not account for, which this deployment cannot grant.
 */
import { LAMBDA_INVOKE, LAMBDA_INVOKE_WAIT, START_EXECUTION_SYNC } from '../lower/layout';
import type { AslDefinition, CompileReport, HandlerKind } from '../types';

export interface HandlerTask {
  state: string;
  kind: HandlerKind;
  /**
   * How long Step Functions waits for the function: the Task's TimeoutSeconds.
   * Absent for a callback Task (.waitForTaskToken), whose TimeoutSeconds is
   * how long it waits for the answer, not for the function.
   */
  timeoutSeconds?: number;
  /** Secret names the handler may read for this Task: `secretFields` values and an agent's `apiKeySecret`. */
  secrets: string[];
}

/** A Task that invokes a user's handler (`x-sfn: { handler }`). */
export interface CustomTask {
  state: string;
  substitution: string;
  timeoutSeconds?: number;
}

export interface OtherTask {
  state: string;
  /** `arn:aws:states:::dynamodb:putItem`, or the Lambda invoke with the function it names. */
  resource: string;
}

type State = Record<string, unknown>;
type States = Record<string, State>;

/**
 * Every Task state, including those inside Parallel branches and Map processors:
 * handler Tasks, custom handler Tasks, and the Tasks the report does not account
 * for. Sub-workflow Tasks and declared service integrations are accounted for
 * by the report (`subWorkflows`, `serviceIntegrations`) and are not returned.
 */
export function tasksOf(definition: AslDefinition, report: CompileReport): { handlerTasks: HandlerTask[]; customTasks: CustomTask[]; otherTasks: OtherTask[] } {
  const ref = (key: string) => `\${${key}}`;
  const handlerOf = new Map(Object.entries(report.substitutions).map(([kind, key]) => [ref(key), kind as HandlerKind]));
  const customOf = new Map(report.customHandlers.map((c) => [ref(c.substitution), c.substitution]));
  const subWorkflows = new Set(report.subWorkflows.map((s) => ref(s.substitution)));
  const handlerTasks: HandlerTask[] = [];
  const customTasks: CustomTask[] = [];
  const otherTasks: OtherTask[] = [];
  const visit = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') {
        const params = state.Parameters as { FunctionName?: unknown; StateMachineArn?: unknown; Payload?: Record<string, unknown> } | undefined;
        const resource = String(state.Resource);
        const fn = (resource === LAMBDA_INVOKE || resource === LAMBDA_INVOKE_WAIT) && typeof params?.FunctionName === 'string' ? params.FunctionName : undefined;
        const timeoutSeconds = typeof state.TimeoutSeconds === 'number' && resource !== LAMBDA_INVOKE_WAIT ? state.TimeoutSeconds : undefined;
        const kind = fn === undefined ? undefined : handlerOf.get(fn);
        const custom = fn === undefined ? undefined : customOf.get(fn);
        if (kind) handlerTasks.push({ state: name, kind, timeoutSeconds, secrets: payloadSecrets(params?.Payload) });
        else if (custom && resource === LAMBDA_INVOKE) customTasks.push({ state: name, substitution: custom, timeoutSeconds });
        else if (resource === START_EXECUTION_SYNC && subWorkflows.has(String(params?.StateMachineArn))) continue;
        else if (report.serviceIntegrations.some((s) => s.node === name && s.resource === resource)) continue;
        else otherTasks.push({ state: name, resource: fn === undefined ? resource : `${resource} of ${fn}` });
      }
      for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States);
  return { handlerTasks, customTasks, otherTasks };
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
