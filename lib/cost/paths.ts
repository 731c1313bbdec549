/**
 * The paths of a compiled workflow that decide what it costs, found from the
 * definition:
 *
 *  - `happy`: every Task succeeds at its first attempt, each Choice on data
 *    takes its first branch in file order that does not loop back (else its
 *    Default), every for-each list has one item;
 *  - `retry`: the happy path with one transient error on the first Task that
 *    retries (each retry is billed as a transition);
 *  - for each Catch of a Task the happy path enters, and each error it tells
 *    apart (an `error` edge's conditions): that Task fails once (its retries
 *    exhausted), the rest as on the happy path — one fallback or error round;
 *    when the failure leads back into the Task, also the path where it fails
 *    every time, until its bound (`exhausted`);
 *  - for each Choice the happy path passes that can loop back: one more round,
 *    and rounds until its bound;
 *  - for-each: the happy path with two items per list (the difference to the
 *    happy path is the cost of one item);
 *  - the scenarios given: the cases of the workflow's `tests:` section, each
 *    with its mocks' answers and its input.
 */
import type { AslDefinition } from '../types';
import { matchesError, walkPath, WalkError, type PathSpec, type Walk } from './walk';

export type PathKind = 'happy' | 'retry' | 'error' | 'exhausted' | 'loop' | 'loop-exhausted' | 'item' | 'unbounded' | 'test';

/** A path given from outside: a case of the workflow's \`tests:\` section (its mocks as `answers`, its input). */
export interface Scenario {
  id: string;
  label: string;
  spec: PathSpec;
}

/** A scenario the walk could not follow (a Task its mocks do not answer): left out, with why. */
export interface SkippedScenario {
  id: string;
  reason: string;
}

export interface CostPath {
  id: string;
  kind: PathKind;
  /** What happens on it, for people. */
  label: string;
  spec: PathSpec;
  /** For `unbounded` (a failure or loop that nothing bounds: it runs until the 25,000-event history fails it), the walk of one round. */
  walk: Walk;
}

type State = Record<string, unknown>;
type Machine = { StartAt: string; States: Record<string, State> };

/** Error names tried for a catch-all, in this order: the handlers' non-transient errors, then Step Functions' generic one. */
const GENERIC_ERRORS = ['OSOP.Http.Rejected', 'OSOP.Llm.Rejected', 'OSOP.Mcp.ToolError', 'OSOP.Approval.Rejected', 'OSOP.Manual.Failed', 'States.TaskFailed'];

export function costPaths(definition: AslDefinition, scenarios: Scenario[] = [], skipped: SkippedScenario[] = []): CostPath[] {
  const states = statesOf(definition as unknown as Machine);
  const out: CostPath[] = [];
  const add = (id: string, kind: PathKind, label: string, spec: PathSpec): CostPath => {
    const p = { id, kind, label, spec, walk: walkPath(definition, spec) };
    out.push(p);
    return p;
  };
  /** A path to its bound; without one, an `unbounded` entry with the walk of one round. */
  const addBounded = (id: string, kind: PathKind, label: string, spec: PathSpec, oneRound: CostPath) => {
    try {
      add(id, kind, label, spec);
    } catch (e) {
      if (!(e instanceof WalkError)) throw e;
      out.push({ id: id.replace(/^[a-z-]+:/, 'unbounded:'), kind: 'unbounded', label: `${label.replace(/, until its bound$/, '')}: nothing bounds it (it runs until the 25,000-event history fails it); figures of one round`, spec: oneRound.spec, walk: oneRound.walk });
    }
  };
  const happy = add('happy', 'happy', 'every call succeeds, each condition takes its first branch', {});
  const entered = new Set(happy.walk.entered);

  const retrying = happy.walk.entered.find((s) => ((states.get(s)?.Retry as State[] | undefined) ?? []).length > 0);
  if (retrying) {
    const error = ((states.get(retrying)!.Retry as State[])[0].ErrorEquals as string[])[0];
    add(`retry:${retrying}`, 'retry', `${retrying} fails once with ${error} and is retried`, { transient: { [retrying]: { error, times: 1 } } });
  }

  for (const name of unique(happy.walk.entered)) {
    const st = states.get(name)!;
    if (st.Type !== 'Task' && st.Type !== 'Parallel' && st.Type !== 'Map') continue;
    if (st.Type !== 'Task') continue;
    const catchers = (st.Catch ?? []) as State[];
    const seen = new Set<string>();
    for (const [i, c] of catchers.entries()) {
      for (const error of errorsFor(st, catchers, i, states)) {
        if (seen.has(error)) continue;
        seen.add(error);
        const once = add(`error:${name}:${error}`, 'error', `${name} fails (${error}), once`, { failures: { [name]: { error, times: 1 } } });
        const again = once.walk.calls.filter((x) => x.state === name).length > callsOf(happy.walk, name) + attemptsOf(st, error) - 1;
        if (again) addBounded(`exhausted:${name}:${error}`, 'exhausted', `${name} fails (${error}) every time, until its bound`, { failures: { [name]: { error, times: Infinity } } }, once);
        void c;
      }
    }
  }

  for (const name of unique(happy.walk.entered)) {
    if (states.get(name)?.Type !== 'Choice') continue;
    let once: Walk;
    try {
      once = walkPath(definition, { loops: { [name]: 1 } });
    } catch (e) {
      if (e instanceof WalkError) continue;
      throw e;
    }
    if (!once.loopsTaken[name]) continue;
    out.push({ id: `loop:${name}`, kind: 'loop', label: `${name} loops back once`, spec: { loops: { [name]: 1 } }, walk: once });
    addBounded(`loop-exhausted:${name}`, 'loop-exhausted', `${name} loops back every time, until its bound`, { loops: { [name]: Infinity } }, out[out.length - 1]);
  }

  if ([...entered].some((s) => states.get(s)?.Type === 'Map')) add('items:2', 'item', 'every for-each list has 2 items (the happy path has 1)', { items: 2 });

  for (const sc of scenarios) {
    try {
      add(`test:${sc.id}`, 'test', sc.label, sc.spec);
    } catch (e) {
      if (!(e instanceof WalkError)) throw e;
      skipped.push({ id: sc.id, reason: e.message });
    }
  }
  return out;
}

/** The errors worth telling apart at catcher `i`: the names it lists, or for a catch-all the errors its Choice routes on, and one it does not. */
function errorsFor(st: State, catchers: State[], i: number, states: Map<string, State>): string[] {
  const c = catchers[i];
  const equals = c.ErrorEquals as string[];
  const reaches = (error: string) => catchers.findIndex((x) => matchesError(x.ErrorEquals as string[], error)) === i;
  const specific = equals.filter((e) => e !== 'States.ALL' && e !== 'States.TaskFailed');
  if (specific.length) return specific.filter(reaches).slice(0, 1);
  const out: string[] = [];
  const next = states.get(c.Next as string);
  const named: string[] = [];
  if (next?.Type === 'Choice') {
    const visit = (r: State) => {
      if (typeof r.Variable === 'string' && /\.Error$/.test(r.Variable) && typeof r.StringEquals === 'string') named.push(r.StringEquals);
      for (const sub of (r.And ?? r.Or ?? []) as State[]) visit(sub);
      if (r.Not) visit(r.Not as State);
    };
    ((next.Choices ?? []) as State[]).forEach(visit);
  }
  out.push(...named.filter(reaches));
  const other = GENERIC_ERRORS.find((e) => reaches(e) && !named.includes(e) && !retried(st, e));
  if (other) out.push(other);
  return out;
}

function retried(st: State, error: string): boolean {
  return ((st.Retry ?? []) as State[]).some((r) => matchesError(r.ErrorEquals as string[], error));
}

/** Calls of one failing round of the state: the first attempt and the retries of the rule that matches. */
function attemptsOf(st: State, error: string): number {
  const rule = ((st.Retry ?? []) as State[]).find((r) => matchesError(r.ErrorEquals as string[], error));
  return 1 + (rule ? (typeof rule.MaxAttempts === 'number' ? rule.MaxAttempts : 3) : 0);
}

function callsOf(w: Walk, state: string): number {
  return w.calls.filter((c) => c.state === state).length;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function statesOf(m: Machine, out = new Map<string, State>()): Map<string, State> {
  for (const [n, s] of Object.entries(m.States)) {
    out.set(n, s);
    for (const b of (s.Branches ?? []) as Machine[]) statesOf(b, out);
    const inner = (s.ItemProcessor ?? s.Iterator) as Machine | undefined;
    if (inner) statesOf(inner, out);
  }
  return out;
}
