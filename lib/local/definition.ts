/**
 * What the runners read from a compiled definition besides the compile
 * report: its states (nested ones included), which retry or wait, where a
 * Catch leads. What each Task runs comes from the report (`tasksByState`),
 * never from the ASL text.
 */
import type { AslDefinition, CompileReport, TaskReport } from '../types';

type State = Record<string, unknown>;

/** Task state name → what the compiler says it runs. */
export function tasksByState(report: CompileReport): Map<string, TaskReport> {
  return new Map(report.tasks.map((t) => [t.state, t]));
}

/** The states that are nodes' own (a node's id is its state's name); the others are states the compiler added. */
export function nodeStatesOf(report: Pick<CompileReport, 'nodes'>): Set<string> {
  return new Set(report.nodes.map((n) => n.id));
}

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

/**
 * The definition as the local engine must see it to time Tasks as Step
 * Functions does: a Task without TimeoutSeconds waits as long as it takes
 * (the engine would stop it after 60 s: a sub-workflow or a person answering
 * takes longer), and no timeout exceeds what a Node.js timer can hold
 * (longer ones would fire at once). Choice rules with `IsPresent: false` are
 * rewritten to what the engine evaluates as AWS does (`presentAsAws`).
 */
export function withLocalTimeouts(definition: AslDefinition): AslDefinition {
  const clamp = (machine: { States: Record<string, State> }): Record<string, State> =>
    Object.fromEntries(
      Object.entries(machine.States).map(([name, s]) => {
        const out: State = { ...s };
        if (s.Type === 'Task' && s.TimeoutSecondsPath === undefined) out.TimeoutSeconds = Math.min(typeof s.TimeoutSeconds === 'number' ? s.TimeoutSeconds : MAX_LOCAL_TIMEOUT_SECONDS, MAX_LOCAL_TIMEOUT_SECONDS);
        if (s.Type === 'Choice' && Array.isArray(s.Choices)) out.Choices = (s.Choices as State[]).map(presentAsAws);
        if (Array.isArray(s.Branches)) out.Branches = (s.Branches as { States: Record<string, State> }[]).map((b) => ({ ...b, States: clamp(b) }));
        for (const key of ['ItemProcessor', 'Iterator'] as const) {
          const inner = s[key] as { States: Record<string, State> } | undefined;
          if (inner) out[key] = { ...inner, States: clamp(inner) };
        }
        return [name, out];
      }),
    );
  const timeout = definition.TimeoutSeconds === undefined ? {} : { TimeoutSeconds: Math.min(definition.TimeoutSeconds, MAX_LOCAL_TIMEOUT_SECONDS) };
  return { ...definition, ...timeout, States: clamp(definition) };
}

/**
 * `IsPresent: false` as AWS evaluates it (true when the path has no value): aws-local-stepfunctions 3.0.0
 * evaluates it as never true, so the rule runs as `Not: { IsPresent: true }`, which it gets right.
 */
function presentAsAws(rule: State): State {
  if (rule.IsPresent === false && typeof rule.Variable === 'string') {
    const { IsPresent: _absent, Variable, ...rest } = rule;
    return { ...rest, Not: { Variable, IsPresent: true } };
  }
  const out: State = { ...rule };
  if (Array.isArray(rule.And)) out.And = (rule.And as State[]).map(presentAsAws);
  if (Array.isArray(rule.Or)) out.Or = (rule.Or as State[]).map(presentAsAws);
  if (rule.Not && typeof rule.Not === 'object') out.Not = presentAsAws(rule.Not as State);
  return out;
}

/** The longest delay a Node.js timer holds (2^31 - 1 ms), in whole seconds: about 24.8 days. */
export const MAX_LOCAL_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

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

/**
 * Where a caught error really goes: the compiler puts a guard and a counter
 * in front of a fallback edge that loops back, so follow them (the guard's
 * first rule: "within the bound") until a node state. Other added states (a
 * Choice on the error, an approval's rejection) are where it goes.
 */
export function fallbackTarget(definition: AslDefinition, nodes: Set<string>, next: string): string {
  let name = next;
  for (let hops = 0; hops < 10 && !nodes.has(name); hops++) {
    const s = stateNamed(definition, name);
    if (!s) break;
    const first = (s.Choices as { Variable?: string; Next?: string }[] | undefined)?.[0];
    const isGuard = s.Type === 'Choice' && typeof first?.Variable === 'string' && first.Variable.startsWith('$.counters.');
    const isCount = s.Type === 'Pass' && typeof s.ResultPath === 'string' && s.ResultPath.startsWith('$.counters.');
    const step = isGuard ? first?.Next : isCount ? (s.Next as string | undefined) : undefined;
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
