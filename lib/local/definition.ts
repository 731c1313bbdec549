/**
 * What the runners need to know about a compiled definition: which Task
 * invokes which handler, which states retry or wait, where a fallback edge
 * leads. Read from the ASL itself, so that the runners execute exactly what
 * `compile` produced.
 */
import type { AslDefinition, CompileReport, HandlerKind } from '../types';

type State = Record<string, unknown>;

/** The handlers that can run in-process (the others wait for people or run elsewhere). */
export type LocalHandlerKind = Extract<HandlerKind, 'rest' | 'agent'>;
const LOCAL_KINDS: readonly string[] = ['rest', 'agent'];

/** Every state, those inside Parallel branches and Map item processors included: names are unique across them. */
export function allStates(definition: { States: Record<string, State> }): [string, State][] {
  const out: [string, State][] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    out.push([name, state]);
    const nested = [...((state.Branches ?? []) as { States: Record<string, State> }[]), state.ItemProcessor, state.Iterator].filter(Boolean) as { States: Record<string, State> }[];
    for (const machine of nested) out.push(...allStates(machine));
  }
  return out;
}

export function stateNamed(definition: AslDefinition, name: string): State | undefined {
  return allStates(definition).find(([n]) => n === name)?.[1];
}

/** Replace `${Key}` definition substitutions (as CDK's `definitionSubstitutions` does) everywhere. */
export function substitute(definition: AslDefinition, values: Record<string, string>): AslDefinition {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, key: string) => (key in values ? values[key] : m));
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(definition) as AslDefinition;
}

/** Task state name → the handler it invokes (rest or agent), found by its `FunctionName` substitution. */
export function taskHandlers(definition: AslDefinition, report: CompileReport): Map<string, LocalHandlerKind> {
  const byPlaceholder = new Map<string, LocalHandlerKind>();
  for (const [kind, key] of Object.entries(report.substitutions) as [HandlerKind, string][]) {
    if (LOCAL_KINDS.includes(kind)) byPlaceholder.set(`\${${key}}`, kind as LocalHandlerKind);
  }
  const out = new Map<string, LocalHandlerKind>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task' || state.Resource !== 'arn:aws:states:::lambda:invoke') continue;
    const fn = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
    const kind = typeof fn === 'string' ? byPlaceholder.get(fn) : undefined;
    if (kind) out.set(name, kind);
  }
  return out;
}

/** Names of the states that have a Retry field. */
export function retryingStates(definition: AslDefinition): string[] {
  return allStates(definition)
    .filter(([, s]) => Array.isArray(s.Retry) && (s.Retry as unknown[]).length > 0)
    .map(([name]) => name);
}

export function waitStates(definition: AslDefinition): string[] {
  return allStates(definition)
    .filter(([, s]) => s.Type === 'Wait')
    .map(([name]) => name);
}

/** Node ids are state names; the states the compiler adds carry a ':'. */
export const isNodeState = (name: string): boolean => !name.includes(':');

/**
 * Where a caught error really goes: the compiler puts a guard and a counter
 * in front of a fallback edge that loops back, so follow added states (a
 * Choice's first rule: "within the bound") until a node state.
 */
export function fallbackTarget(definition: AslDefinition, next: string): string {
  let name = next;
  for (let hops = 0; hops < 10 && !isNodeState(name); hops++) {
    const s = stateNamed(definition, name);
    if (!s) break;
    const choices = s.Choices as { Next?: string }[] | undefined;
    const step = s.Type === 'Choice' ? choices?.[0]?.Next : (s.Next as string | undefined);
    if (typeof step !== 'string') break;
    name = step;
  }
  return name;
}

/** The Catch rule of `state` that takes `error`, as Step Functions picks it (first match). */
export function catchTargetFor(definition: AslDefinition, state: string, error: string): string | undefined {
  const s = stateNamed(definition, state);
  const catchers = (s?.Catch ?? []) as { ErrorEquals: string[]; Next: string }[];
  const taskWide = s?.Type === 'Task' && error !== 'States.Timeout';
  return catchers.find((c) => c.ErrorEquals.some((e) => e === error || e === 'States.ALL' || (taskWide && e === 'States.TaskFailed')))?.Next;
}

/**
 * An upper bound of the calls a Task state can get in one execution: every
 * re-entry goes through a bounded back-edge (the compiler bounds every cycle
 * with a counter guard), and each entry makes at most 1 + its retries calls.
 */
export function maxCallsOf(definition: AslDefinition, state: string): number {
  let reentries = 0;
  for (const [, s] of allStates(definition)) {
    if (s.Type !== 'Choice') continue;
    for (const rule of (s.Choices ?? []) as Record<string, unknown>[]) {
      if (typeof rule.Variable === 'string' && rule.Variable.startsWith('$.counters.') && typeof rule.NumericLessThan === 'number') reentries += rule.NumericLessThan;
    }
  }
  const retries = ((stateNamed(definition, state)?.Retry ?? []) as { MaxAttempts?: number }[]).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
  return (1 + reentries) * (1 + retries);
}
