/**
 * Walks a compiled definition along one path without running anything: a
 * small interpreter of the ASL the compiler writes (JSONPath, Pass, Choice,
 * Task, Parallel, Map, Wait, Succeed, Fail, Retry, Catch), where a Task's
 * result comes from the path (`PathSpec`), not from a call.
 *
 * What a path leaves open is decided here, lazily: a Task's output fields
 * and the execution input's fields are *free* until a Choice reads them;
 * then the Choice takes the branch the path prefers and the free values get
 * values that make it take that branch (`bindings`). The walk records every
 * Task call with the answer it got, so that `verify.ts` can give the local
 * engine exactly the same answers (`osop-sfn test` mocks) and check that the
 * engine enters the same number of states.
 *
 * What it counts is what Step Functions bills for Standard workflows: "Step
 * Functions counts a state transition each time a step of your workflow is
 * executed ... including retries" (https://aws.amazon.com/step-functions/pricing/):
 * every state entered, the states inside Parallel branches and Map
 * iterations included, plus one per retry.
 */
import type { AslDefinition } from '../types';
import { httpTaskError } from '../contract/task-payload';

type Json = unknown;
type State = Record<string, unknown>;
type Machine = { StartAt: string; States: Record<string, State> };

/** A value nothing has decided yet: a Task output field or an input field no Choice has read. */
export interface Free {
  readonly __free: number;
  /** Where it came from, for messages: `create_intent.intent_id`, `input.amount`. */
  readonly label: string;
  /** May be absent (an input field, an answer without a ResultSelector). */
  readonly optional: boolean;
  /** Can only be text (a CodeBuild exported variable). */
  readonly text?: boolean;
}
const isFree = (v: unknown): v is Free => typeof v === 'object' && v !== null && '__free' in v;
const ABSENT = Symbol('absent');

/** One way through the workflow. */
export interface PathSpec {
  /**
   * Task state → the error it fails with, and how many times the state fails (Infinity: every time it is entered).
   * A failing state fails every attempt: its Retry rules run out before a Catch takes the error.
   */
  failures?: Record<string, { error: string; cause?: string; times: number }>;
  /** Task state → a transient error its first `times` calls fail with, each retried by its Retry rule. */
  transient?: Record<string, { error: string; times: number }>;
  /** Choice state → how many times it takes a branch that loops back (Infinity: every time); other Choices never loop. */
  loops?: Record<string, number>;
  /** Items of every for-each (Map) list the path makes up. @default 1 */
  items?: number;
  /**
   * A test case's answers (`tests:` mocks): Task state → its answers call by call, then `thereafter`. A Task
   * without answers cannot be called. With `answers`, the path is the test's: nothing is made up.
   */
  answers?: Record<string, { calls: Answer[]; thereafter?: Answer }>;
  /** The execution input (a test's `input`); without it, the walk makes up the fields the machine reads. */
  input?: unknown;
}

/** One answer of a Task, as an \`osop-sfn test\` mock gives it. */
export interface Answer {
  outputs?: Record<string, unknown>;
  error?: string;
  cause?: string;
}

/** One call of a Task: what it answered. `outputs` may hold free values until `materialise`. */
export interface TaskCall {
  state: string;
  outputs?: Record<string, Json>;
  error?: string;
  cause?: string;
}

export interface Walk {
  status: 'SUCCEEDED' | 'FAILED';
  error?: string;
  /** Every state entered, in walk order (branches and iterations one after another). */
  entered: string[];
  /** Task attempts that a Retry rule repeated: each is billed as one more transition. */
  retries: number;
  /** Billed transitions: states entered plus retries. */
  transitions: number;
  /** Every Task call (retries included), in walk order. */
  calls: TaskCall[];
  /** The execution input the walk assumed (with free values). */
  input: Record<string, Json>;
  /** Choices decided on free values, with the branch taken: for messages. */
  decisions: { state: string; next: string }[];
  /** Seconds spent in Wait states. */
  waitSeconds: number;
  /** Choice state → how many times it took a branch that loops back. */
  loopsTaken: Record<string, number>;
}

export class WalkError extends Error {}

/** A Choice compared a path that has no value: Step Functions fails the execution with States.Runtime. */
class ChoiceRuntime extends Error {}
const RUNTIME = '\u0000States.Runtime';
const NO_MATCH = '\u0000States.NoChoiceMatched';

/** Keys of the execution data layout (lib/data-layout.ts) that the state machine writes: never made up in the execution input. */
const LAYOUT_KEYS = /^(outputs|errors|counters|loop|osop_.*)$/;

/** The execution's ceiling on entered states; a path that loops past it is refused (it would hit the 25,000-event history anyway). */
const MAX_ENTERED = 20_000;

export function walkPath(definition: AslDefinition, spec: PathSpec): Walk {
  return new Walker(definition as unknown as Machine, spec).run();
}

/** Replace free values: bound ones by their value, the rest by a placeholder string. */
export function materialise<T>(value: T, bindings: Map<number, Json>): T {
  const seen = new Map<object, unknown>();
  const go = (v: unknown): unknown => {
    if (isFree(v)) return bindings.has(v.__free) ? go(bindings.get(v.__free)) : `cost-${v.label.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (Array.isArray(v)) return v.map(go);
    if (v && typeof v === 'object') {
      if (seen.has(v)) return seen.get(v);
      const out: Record<string, unknown> = {};
      seen.set(v, out);
      for (const [k, x] of Object.entries(v)) {
        const m = go(x);
        if (m !== ABSENT) out[k] = m;
      }
      return out;
    }
    return v;
  };
  return go(value) as T;
}

type Outcome = { kind: 'ok'; output: Json } | { kind: 'error'; error: string; cause: string };

class Walker {
  private nextFree = 1;
  readonly bindings = new Map<number, Json>();
  /** Objects whose missing fields are free values made on first read (the execution input, for-each items). */
  private readonly lazy = new WeakSet<object>();
  /** A Task's answer (a lazy object) → the state's name: its fields are that Task's outputs, never absent. */
  private readonly labels = new WeakMap<object, string>();
  /** Answers whose fields can only be text (CodeBuild's exported variables). */
  private readonly textOnly = new WeakSet<object>();
  private readonly calls: (TaskCall & { at: number })[] = [];
  private readonly callCount = new Map<string, number>();
  private readonly entryCount = new Map<string, number>();
  private readonly loopCount = new Map<string, number>();
  private readonly entered: string[] = [];
  /** Every state entered so far (branches cut short included): what a branch may loop back to. */
  private readonly enteredSet = new Set<string>();
  private states?: Map<string, State>;
  private readonly decisions: Walk['decisions'] = [];
  private retries = 0;
  private waitSeconds = 0;
  private readonly input: Record<string, Json>;

  constructor(
    private readonly machine: Machine,
    private readonly spec: PathSpec,
  ) {
    if (spec.input !== undefined) this.input = structuredClone(spec.input) as Record<string, Json>;
    else {
      this.input = {};
      this.lazy.add(this.input);
    }
  }

  run(): Walk {
    const out = this.region(this.machine, this.input, { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:cost:path', Name: 'path', Input: this.input } });
    const status = out.kind === 'ok' ? 'SUCCEEDED' : 'FAILED';
    const calls = this.calls.map(({ at: _at, ...c }) => ({ ...c, outputs: c.outputs && materialise(c.outputs, this.bindings) }));
    return {
      status,
      error: out.kind === 'error' ? out.error : undefined,
      entered: this.entered,
      retries: this.retries,
      transitions: this.entered.length + this.retries,
      calls,
      input: materialise(this.input, this.bindings),
      decisions: this.decisions,
      waitSeconds: this.waitSeconds,
      loopsTaken: Object.fromEntries(this.loopCount),
    };
  }

  private free(label: string, optional: boolean, text = false): Free {
    return { __free: this.nextFree++, label, optional, ...(text && { text }) };
  }

  /** Resolve bound free values (at the top level of `v`). */
  private deref(v: Json): Json {
    while (isFree(v) && this.bindings.has(v.__free)) v = this.bindings.get(v.__free);
    return v;
  }

  // ---------------------------------------------------------------- regions

  private region(m: Machine, input: Json, context: Record<string, Json>): Outcome {
    let name = m.StartAt;
    let data = input;
    for (;;) {
      const st = m.States[name];
      if (!st) throw new WalkError(`the definition has no state '${name}'`);
      this.entered.push(name);
      this.enteredSet.add(name);
      if (this.entered.length > MAX_ENTERED) throw new WalkError(`the path enters more than ${MAX_ENTERED} states: a loop on it has no bound`);
      const r = this.state(name, st, data, context);
      if (r.kind === 'error') {
        const c = this.catcher(st, r.error);
        if (!c) return r;
        data = this.writeResult(data, c.ResultPath === undefined ? '$' : (c.ResultPath as string | null), { Error: r.error, Cause: r.cause });
        name = c.Next as string;
        continue;
      }
      if (r.kind === 'end') return { kind: 'ok', output: r.output };
      data = r.output;
      name = r.next;
    }
  }

  private catcher(st: State, error: string): State | undefined {
    return ((st.Catch ?? []) as State[]).find((c) => matchesError(c.ErrorEquals as string[], error));
  }

  private state(name: string, st: State, data: Json, context: Record<string, Json>): { kind: 'next'; next: string; output: Json } | { kind: 'end'; output: Json } | { kind: 'error'; error: string; cause: string } {
    const done = (output: Json) => (st.End === true || st.Next === undefined ? { kind: 'end' as const, output } : { kind: 'next' as const, next: st.Next as string, output });
    switch (st.Type) {
      case 'Pass': {
        const input = this.path(data, (st.InputPath as string | undefined) ?? '$', context);
        const result = st.Parameters !== undefined ? this.template(st.Parameters, input, context) : st.Result !== undefined ? st.Result : input;
        return done(this.output(st, data, result, context));
      }
      case 'Wait': {
        if (typeof st.Seconds === 'number') this.waitSeconds += st.Seconds;
        return done(this.output(st, data, this.path(data, (st.InputPath as string | undefined) ?? '$', context), context, false));
      }
      case 'Succeed':
        return { kind: 'end', output: data };
      case 'Fail': {
        const cause = typeof st.CausePath === 'string' ? String(this.deref(this.path(data, st.CausePath, context)) ?? '') : ((st.Cause as string | undefined) ?? '');
        const error = typeof st.ErrorPath === 'string' ? String(this.deref(this.path(data, st.ErrorPath, context))) : ((st.Error as string | undefined) ?? 'States.Fail');
        return { kind: 'error', error, cause };
      }
      case 'Choice': {
        const next = this.choose(name, st, data, context);
        if (next === RUNTIME) return { kind: 'error', error: 'States.Runtime', cause: `no value for a path the Choice '${name}' reads` };
        if (next === NO_MATCH) return { kind: 'error', error: 'States.NoChoiceMatched', cause: `no branch of the Choice '${name}' matched and it has no Default` };
        return { kind: 'next', next, output: data };
      }
      case 'Task':
        return this.task(name, st, data, context, done);
      case 'Parallel': {
        const input = this.effectiveInput(st, data, context);
        const outs: Json[] = [];
        const runs: { entered: string[]; calls: (TaskCall & { at: number })[]; r: Outcome }[] = [];
        for (const b of st.Branches as Machine[]) {
          const e0 = this.entered.length;
          const c0 = this.calls.length;
          const r = this.region(b, input, context);
          runs.push({ entered: this.entered.splice(e0), calls: this.calls.splice(c0).map((c) => ({ ...c, at: (c as TaskCall & { at: number }).at - e0 })), r });
          if (r.kind === 'ok') outs.push(r.output);
        }
        // The branches run side by side. When one fails, Step Functions stops the others where they are: how far
        // they got depends on timing. The walk counts them as a run where every answer is instant gets them
        // (what the local engine does): one state at a time each, in branch order, until the failing branch's last state.
        const failed = runs.map((x, i) => ({ x, i })).filter(({ x }) => x.r.kind === 'error');
        const first = failed.sort((a, b) => a.x.entered.length - b.x.entered.length || a.i - b.i)[0];
        runs.forEach((x, i) => {
          const keep = !first ? x.entered.length : Math.min(x.entered.length, i <= first.i ? first.x.entered.length : first.x.entered.length - 1);
          const e0 = this.entered.length;
          this.entered.push(...x.entered.slice(0, keep));
          for (const c of x.calls) if (c.at < keep) this.calls.push({ ...c, at: c.at + e0 });
        });
        if (first) return first.x.r as { kind: 'error'; error: string; cause: string };
        return done(this.output(st, data, this.select(st, outs, context), context));
      }
      case 'Map': {
        const input = this.effectiveInput(st, data, context);
        let items = this.deref(this.path(input, (st.ItemsPath as string | undefined) ?? '$', context));
        if (isFree(items) || items === undefined) {
          const n = this.spec.items ?? 1;
          const made = Array.from({ length: n }, () => {
            const o: Record<string, Json> = {};
            this.lazy.add(o);
            return o;
          });
          if (isFree(items)) this.bindings.set(items.__free, made);
          items = made;
        }
        if (!Array.isArray(items)) throw new WalkError(`the Map '${name}' reads a list that is not one`);
        const inner = (st.ItemProcessor ?? st.Iterator) as Machine;
        const outs: Json[] = [];
        for (let i = 0; i < items.length; i++) {
          const ctx = { ...context, Map: { Item: { Index: i, Value: items[i] } } };
          const itemInput = st.ItemSelector !== undefined ? this.template(st.ItemSelector, input, ctx) : st.Parameters !== undefined ? this.template(st.Parameters, input, ctx) : items[i];
          const r = this.region(inner, itemInput, ctx);
          if (r.kind === 'error') return r;
          outs.push(r.output);
        }
        return done(this.output(st, data, this.select(st, outs, context), context));
      }
      default:
        throw new WalkError(`state '${name}' has a type the cost walk does not know: ${String(st.Type)}`);
    }
  }

  private effectiveInput(st: State, data: Json, context: Record<string, Json>): Json {
    const input = this.path(data, (st.InputPath as string | undefined) ?? '$', context);
    return st.Parameters !== undefined && st.Type !== 'Map' ? this.template(st.Parameters, input, context) : input;
  }

  private select(st: State, result: Json, context: Record<string, Json>): Json {
    return st.ResultSelector !== undefined ? this.template(st.ResultSelector, result, context) : result;
  }

  private output(st: State, data: Json, result: Json, context: Record<string, Json>, hasResult = true): Json {
    const rp = st.ResultPath === undefined ? '$' : (st.ResultPath as string | null);
    const merged = hasResult ? this.writeResult(data, rp, result) : result;
    return st.OutputPath !== undefined && st.OutputPath !== null ? this.path(merged, st.OutputPath as string, context) : merged;
  }

  private writeResult(data: Json, resultPath: string | null, result: Json): Json {
    if (resultPath === null) return data;
    if (resultPath === '$') return result;
    const keys = pathKeys(resultPath);
    const set = (obj: Json, i: number): Json => {
      const base = obj && typeof obj === 'object' && !Array.isArray(obj) ? { ...(obj as Record<string, Json>) } : {};
      base[keys[i]] = i === keys.length - 1 ? result : set(base[keys[i]], i + 1);
      return base;
    };
    return set(this.deref(data), 0);
  }

  // ---------------------------------------------------------------- tasks

  private task(name: string, st: State, data: Json, context: Record<string, Json>, done: (o: Json) => { kind: 'next'; next: string; output: Json } | { kind: 'end'; output: Json }) {
    // Parameters are evaluated as the engine does (a path they read must be there: the input gets it).
    this.effectiveInput(st, data, context);
    const attempts = new Map<State, number>();
    const entry = this.entryCount.get(name) ?? 0;
    this.entryCount.set(name, entry + 1);
    for (;;) {
      const n = this.callCount.get(name) ?? 0;
      this.callCount.set(name, n + 1);
      let answer: Answer | undefined;
      if (this.spec.answers) {
        const a = this.spec.answers[name];
        answer = a?.calls[n] ?? a?.thereafter;
        if (!answer) throw new WalkError(a ? `'${name}' is called ${n + 1} times but the test answers ${a.calls.length}` : `'${name}' is called but the test has no answer for it`);
      }
      const t = this.spec.transient?.[name];
      const failing = this.spec.failures?.[name];
      const f = answer ? (answer.error !== undefined ? { error: String(st.Resource).includes(':::http:invoke') ? httpTaskError(answer.error) : answer.error, cause: answer.cause ?? '' } : undefined) : failing && entry < failing.times ? failing : t && n < t.times ? t : undefined;
      if (f) {
        const cause = 'cause' in f && typeof f.cause === 'string' ? f.cause || (answer ? '' : `${f.error} (a path of osop-sfn cost)`) : `${f.error} (a path of osop-sfn cost)`;
        this.calls.push({ state: name, error: f.error, cause, at: this.entered.length - 1 });
        const rule = ((st.Retry ?? []) as State[]).find((r) => matchesError(r.ErrorEquals as string[], f.error));
        if (rule) {
          const used = attempts.get(rule) ?? 0;
          const max = typeof rule.MaxAttempts === 'number' ? rule.MaxAttempts : 3;
          if (used < max) {
            attempts.set(rule, used + 1);
            this.retries++;
            continue;
          }
        }
        return { kind: 'error' as const, error: f.error, cause };
      }
      if (answer) {
        const outputs = answer.outputs ?? {};
        this.calls.push({ state: name, outputs, at: this.entered.length - 1 });
        return done(this.output(st, data, this.selectResult(name, st, resultShape(st, outputs, true), context), context));
      }
      // The answer's fields are free until something reads them: the mock is what was read.
      const mock: Record<string, Json> = {};
      this.lazy.add(mock);
      this.labels.set(mock, name);
      this.calls.push({ state: name, outputs: mock, at: this.entered.length - 1 });
      if (String(st.Resource).includes(':codebuild:')) this.textOnly.add(mock);
      const read = (k: string): Json => (mock[k] ??= this.free(`${name}.${k}`, false, this.textOnly.has(mock)));
      return done(this.output(st, data, this.selectResult(name, st, resultShape(st, mock, false, read), context), context));
    }
  }

  /** The state's ResultSelector over the integration's result; a CodeBuild variable is read by name (the filter the compiler writes). */
  private selectResult(name: string, st: State, raw: Json, context: Record<string, Json>): Json {
    const selector = st.ResultSelector as Record<string, unknown> | undefined;
    if (selector === undefined) return raw;
    void name;
    return this.template(exportedByName(selector), raw, context);
  }

  // ---------------------------------------------------------------- choices

  private choose(name: string, st: State, data: Json, context: Record<string, Json>): string {
    const rules = (st.Choices ?? []) as State[];
    const targets = [...rules.map((r) => r.Next as string), ...(st.Default !== undefined ? [st.Default as string] : [])];
    const frees = new Map<number, Free>();
    const probe = (v: Json) => {
      const d = this.deref(v);
      if (isFree(d)) frees.set(d.__free, d);
    };
    for (const r of rules) this.variables(r, data, context).forEach(probe);
    if (frees.size === 0) {
      let next: string | undefined;
      try {
        next = this.firstMatch(rules, data, context) ?? (st.Default as string | undefined);
      } catch (e) {
        if (e instanceof ChoiceRuntime) return RUNTIME;
        throw e;
      }
      if (next === undefined) return NO_MATCH;
      return next;
    }
    // Free values: try the assignments their comparisons suggest, and keep the one that takes the preferred branch.
    const vars = [...frees.values()];
    const candidates = vars.map((f) => candidatesFor(f, rules, (v) => this.deref(this.path(data, v, context))));
    const wantLoop = (this.loopCount.get(name) ?? 0) < (this.spec.loops?.[name] ?? 0);
    const loops = new Set(targets.filter((t) => this.loopsBack(t)));
    // The first assignment (in the order the comparisons name values) whose branch loops back as the path wants.
    const found: { next: string; assign: Json[] }[] = [];
    const assign: Json[] = new Array(vars.length);
    let tried = 0;
    const search = (i: number): boolean => {
      if (tried > 4096) return false;
      if (i === vars.length) {
        tried++;
        vars.forEach((f, j) => this.bindings.set(f.__free, assign[j]));
        let next: string | undefined;
        try {
          next = this.firstMatch(rules, data, context) ?? (st.Default as string | undefined);
        } catch (e) {
          if (!(e instanceof ChoiceRuntime)) throw e;
        }
        vars.forEach((f) => this.bindings.delete(f.__free));
        if (next !== undefined) found.push({ next, assign: [...assign] });
        return next !== undefined && loops.has(next) === wantLoop;
      }
      for (const c of candidates[i]) {
        assign[i] = c;
        if (search(i + 1)) return true;
      }
      return false;
    };
    search(0);
    const pick = found.find((f) => loops.has(f.next) === wantLoop) ?? found[0];
    if (!pick) throw new WalkError(`the cost walk found no values that take a branch of the Choice '${name}'`);
    const next = pick.next;
    pick.assign.forEach((v, j) => this.bindings.set(vars[j].__free, v));
    if (loops.has(next)) this.loopCount.set(name, (this.loopCount.get(name) ?? 0) + 1);
    this.decisions.push({ state: name, next });
    return next;
  }

  /** A branch loops back when it reaches, through states that do no work (Pass, Choice, Wait), a state this path already entered. */
  private loopsBack(target: string): boolean {
    const entered = this.enteredSet;
    const states = (this.states ??= allStatesOf(this.machine));
    const seen = new Set<string>();
    const todo = [target];
    while (todo.length) {
      const s = todo.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      if (entered.has(s)) return true;
      const st = states.get(s);
      if (!st || (st.Type !== 'Pass' && st.Type !== 'Choice' && st.Type !== 'Wait')) continue;
      if (typeof st.Next === 'string') todo.push(st.Next);
      for (const r of (st.Choices ?? []) as State[]) todo.push(r.Next as string);
      if (typeof st.Default === 'string') todo.push(st.Default);
    }
    return false;
  }

  private variables(rule: State, data: Json, context: Record<string, Json>): Json[] {
    const out: Json[] = [];
    const walk = (r: State) => {
      if (typeof r.Variable === 'string') out.push(this.path(data, r.Variable, context, true));
      for (const [k, v] of Object.entries(r)) if (k.endsWith('Path') && k !== 'Variable' && typeof v === 'string') out.push(this.path(data, v, context, true));
      for (const sub of (r.And ?? r.Or ?? []) as State[]) walk(sub);
      if (r.Not) walk(r.Not as State);
    };
    walk(rule);
    return out;
  }

  private firstMatch(rules: State[], data: Json, context: Record<string, Json>): string | undefined {
    return rules.find((r) => this.holds(r, data, context))?.Next as string | undefined;
  }

  private holds(r: State, data: Json, context: Record<string, Json>): boolean {
    if (r.And) return (r.And as State[]).every((x) => this.holds(x, data, context));
    if (r.Or) return (r.Or as State[]).some((x) => this.holds(x, data, context));
    if (r.Not) return !this.holds(r.Not as State, data, context);
    const raw = this.deref(this.path(data, r.Variable as string, context, true));
    const present = raw !== ABSENT;
    const value = raw === ABSENT ? undefined : raw;
    for (const [op, operand0] of Object.entries(r)) {
      if (op === 'Variable' || op === 'Next') continue;
      const operand = op.endsWith('Path') ? this.deref(this.path(data, operand0 as string, context)) : operand0;
      const base = op.endsWith('Path') ? op.slice(0, -4) : op;
      if (!present && base !== 'IsPresent') throw new ChoiceRuntime(`the Choice reads ${String(r.Variable)}, which has no value on this path`);
      return compare(base, value, operand, present);
    }
    throw new WalkError(`a Choice rule without a comparison: ${JSON.stringify(r)}`);
  }

  // ---------------------------------------------------------------- paths and templates

  /** Evaluate a JSONPath of the forms the compiler writes (`$`, `$.a.b`, `$.a[0]`, `$$.x`); `soft`: a missing path is ABSENT instead of an error. */
  private path(data: Json, p: string, context: Record<string, Json>, soft = false): Json {
    let cur: Json = p.startsWith('$$') ? context : data;
    const keys = pathKeys(p.startsWith('$$') ? p.slice(1) : p);
    for (const k of keys) {
      cur = this.deref(cur);
      if (cur && typeof cur === 'object') {
        const obj = cur as Record<string, Json>;
        if (!(k in obj) && !Array.isArray(obj) && this.lazy.has(obj) && !(obj === this.input && LAYOUT_KEYS.test(k))) {
          const owner = this.labels.get(obj);
          obj[k] = owner ? this.free(`${owner}.${k}`, false, this.textOnly.has(obj)) : this.free(`input.${k}`, true);
        }
        if (k in obj) {
          cur = obj[k];
          continue;
        }
      }
      if (isFree(cur)) {
        // A field of a free value: the value becomes an object with that field free.
        const o: Record<string, Json> = {};
        this.lazy.add(o);
        this.bindings.set(cur.__free, o);
        o[k] = this.free(`${cur.label}.${k}`, true);
        cur = o[k];
        continue;
      }
      if (p.startsWith('$$')) return `cost-context`;
      if (soft) return ABSENT;
      throw new WalkError(`the path ${p} has no value on this path (States.Runtime)`);
    }
    return cur;
  }

  private template(t: Json, data: Json, context: Record<string, Json>): Json {
    if (Array.isArray(t)) return t.map((x) => this.template(x, data, context));
    if (!t || typeof t !== 'object') return t;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(t as Record<string, Json>)) {
      if (k.endsWith('.$') && typeof v === 'string') out[k.slice(0, -2)] = v.startsWith('States.') ? this.intrinsic(v, data, context) : this.path(data, v, context);
      else out[k] = this.template(v, data, context);
    }
    return out;
  }

  /** The intrinsic functions the compiler writes; others give a placeholder (a Choice cannot read it). */
  private intrinsic(expr: string, data: Json, context: Record<string, Json>): Json {
    const call = parseIntrinsic(expr);
    const evalArg = (a: IntrinsicArg): Json => (a.kind === 'path' ? this.deref(this.path(data, a.value, context)) : a.kind === 'call' ? this.intrinsic(a.value, data, context) : a.value);
    const args = call.args.map(evalArg);
    switch (call.name) {
      case 'States.MathAdd':
        return Number(this.deref(args[0])) + Number(this.deref(args[1]));
      case 'States.Array':
        return args;
      case 'States.JsonMerge':
        return { ...(this.deref(args[0]) as object), ...(this.deref(args[1]) as object) };
      case 'States.StringToJson': {
        const s = this.deref(args[0]);
        try {
          return typeof s === 'string' ? JSON.parse(s) : s;
        } catch {
          return {};
        }
      }
      case 'States.JsonToString':
        return JSON.stringify(materialise(args[0], this.bindings));
      case 'States.Format': {
        let i = 1;
        return String(args[0]).replace(/\{\}/g, () => String(materialise(args[i++], this.bindings)));
      }
      default:
        return `cost-${call.name}`;
    }
  }
}

// ------------------------------------------------------------------ helpers

/** Fields a test's mock may leave out, with the values `osop-sfn test` answers for them (lib/local/mocked-results.ts). */
const ANSWER_DEFAULTS = { model: 'mock', stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } };

/**
 * A Task's result in the shape its integration gives it, around `outputs` (the answer as an
 * \`osop-sfn test\` mock names it), as lib/local/mocked-results.ts makes it: a Lambda function's
 * Payload, a sub-workflow's Output, a build's exported variables, a statement's records, an event's id;
 * a callback's answer and other services' results as they are. `concrete`: a test's answer (defaults filled in).
 */
function resultShape(st: State, outputs: Record<string, Json>, concrete: boolean, read: (key: string) => Json = (k) => outputs[k]): Json {
  const resource = String(st.Resource);
  const payload = ((st.Parameters as Record<string, unknown> | undefined)?.Payload ?? {}) as Record<string, unknown>;
  if (resource.includes('.waitForTaskToken')) return concrete && payload.kind === 'approval' ? { comment: '', approver: 'mock', ...outputs } : outputs;
  if (/:::lambda:invoke$/.test(resource)) return { StatusCode: 200, Payload: concrete && payload.kind === 'agent' ? { ...ANSWER_DEFAULTS, ...outputs } : outputs };
  if (resource.includes(':::states:startExecution')) return { Status: 'SUCCEEDED', Output: outputs };
  if (resource.includes(':::http:invoke')) return { StatusCode: 200, StatusText: 'OK', Headers: {}, ResponseBody: responseBodyFor(st.ResultSelector, outputs, concrete, read) };
  if (resource.includes(':codebuild:')) {
    const exported = concrete ? Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, String(v)])) : outputs;
    return { Build: { Id: concrete ? (outputs.build_id ?? 'mock') : read('build_id'), BuildStatus: concrete ? (outputs.status ?? 'SUCCEEDED') : 'SUCCEEDED' }, __exported: exported };
  }
  if (resource.includes(':rdsdata:')) return { NumberOfRecordsUpdated: concrete ? (typeof outputs.updated === 'number' ? outputs.updated : 0) : read('updated'), FormattedRecords: concrete ? JSON.stringify(outputs.rows ?? []) : read('rows') };
  if (resource.includes(':::events:putEvents')) return { Entries: [{ EventId: concrete ? (outputs.event_id ?? 'mock') : read('event_id') }], FailedEntryCount: 0 };
  return outputs;
}

/**
 * A native HTTP Task's ResponseBody with each output where the state's ResultSelector reads it
 * (`'customer_id.$': '$.ResponseBody.id'`, nested when the first Task sets up the state data).
 */
function responseBodyFor(selector: unknown, outputs: Record<string, Json>, concrete: boolean, read: (key: string) => Json): Json {
  const body: Record<string, Json> = {};
  const place = (sel: unknown) => {
    if (sel === null || typeof sel !== 'object') return;
    for (const [k, v] of Object.entries(sel as Record<string, unknown>)) {
      if (typeof v !== 'string' || !k.endsWith('.$')) {
        place(v);
        continue;
      }
      const m = /^\$\.ResponseBody((?:\.[A-Za-z_][\w]*)+)$/.exec(v);
      if (!m) continue;
      const name = k.slice(0, -2);
      const keys = m[1].slice(1).split('.');
      let at = body;
      for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, Json>;
      at[keys[keys.length - 1]] = concrete ? outputs[name] : read(name);
    }
  };
  place(selector);
  return body;
}

/** The compiler reads a CodeBuild variable with a filter (\`$.Build.ExportedEnvironmentVariables[?(@.Name == 'x')].Value\`): read it by name. */
function exportedByName(selector: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(selector);
  if (!text.includes('ExportedEnvironmentVariables')) return selector;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(selector)) {
    const m = typeof v === 'string' ? /ExportedEnvironmentVariables\[\?\(@\.Name ?== ?'([^']+)'\)\]\.Value/.exec(v) : null;
    out[k] = m ? `$.__exported.${m[1]}` : v;
  }
  return out;
}

function allStatesOf(m: Machine, out = new Map<string, State>()): Map<string, State> {
  for (const [n, s] of Object.entries(m.States)) {
    out.set(n, s);
    for (const b of (s.Branches ?? []) as Machine[]) allStatesOf(b, out);
    const inner = (s.ItemProcessor ?? s.Iterator) as Machine | undefined;
    if (inner) allStatesOf(inner, out);
  }
  return out;
}

/** `States.ALL` matches every error but `States.Runtime`-like ones it never sees here; `States.TaskFailed` every error but a timeout. */
export function matchesError(equals: string[], error: string): boolean {
  return equals.includes(error) || equals.includes('States.ALL') || (equals.includes('States.TaskFailed') && error !== 'States.Timeout' && !error.startsWith('States.'));
}

function pathKeys(p: string): string[] {
  if (p === '$') return [];
  if (!p.startsWith('$')) throw new WalkError(`not a JSONPath: ${p}`);
  const keys: string[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g;
  let m: RegExpExecArray | null;
  let at = 1;
  while ((m = re.exec(p)) !== null) {
    if (m.index !== at) throw new WalkError(`a JSONPath the cost walk cannot read: ${p}`);
    keys.push(m[1] ?? m[2] ?? m[3]);
    at = re.lastIndex;
  }
  if (at !== p.length) throw new WalkError(`a JSONPath the cost walk cannot read: ${p}`);
  return keys;
}

type IntrinsicArg = { kind: 'path' | 'literal' | 'call'; value: any };

function parseIntrinsic(expr: string): { name: string; args: IntrinsicArg[] } {
  const open = expr.indexOf('(');
  const name = expr.slice(0, open).trim();
  const body = expr.slice(open + 1, expr.lastIndexOf(')'));
  const args: IntrinsicArg[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  const push = (s: string) => {
    const a = s.trim();
    if (!a) return;
    if (a.startsWith('$')) args.push({ kind: 'path', value: a });
    else if (a.startsWith("'")) args.push({ kind: 'literal', value: a.slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (/^States\./.test(a)) args.push({ kind: 'call', value: a });
    else if (a === 'true' || a === 'false') args.push({ kind: 'literal', value: a === 'true' });
    else if (a === 'null') args.push({ kind: 'literal', value: null });
    else args.push({ kind: 'literal', value: Number(a) });
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === "'") quote = false;
    } else if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      push(body.slice(start, i));
      start = i + 1;
    }
  }
  push(body.slice(start));
  return { name, args };
}

function compare(op: string, value: Json, operand: Json, present: boolean): boolean {
  switch (op) {
    case 'IsPresent':
      return present === operand;
    case 'IsNull':
      return (present && value === null) === operand;
    case 'IsString':
      return (typeof value === 'string') === operand;
    case 'IsNumeric':
      return (typeof value === 'number') === operand;
    case 'IsBoolean':
      return (typeof value === 'boolean') === operand;
    case 'IsTimestamp':
      return (typeof value === 'string' && !Number.isNaN(Date.parse(value))) === operand;
    case 'StringEquals':
      return typeof value === 'string' && value === operand;
    case 'StringLessThan':
      return typeof value === 'string' && value < (operand as string);
    case 'StringGreaterThan':
      return typeof value === 'string' && value > (operand as string);
    case 'StringLessThanEquals':
      return typeof value === 'string' && value <= (operand as string);
    case 'StringGreaterThanEquals':
      return typeof value === 'string' && value >= (operand as string);
    case 'StringMatches':
      return typeof value === 'string' && new RegExp(`^${String(operand).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
    case 'NumericEquals':
      return typeof value === 'number' && value === operand;
    case 'NumericLessThan':
      return typeof value === 'number' && value < (operand as number);
    case 'NumericGreaterThan':
      return typeof value === 'number' && value > (operand as number);
    case 'NumericLessThanEquals':
      return typeof value === 'number' && value <= (operand as number);
    case 'NumericGreaterThanEquals':
      return typeof value === 'number' && value >= (operand as number);
    case 'BooleanEquals':
      return typeof value === 'boolean' && value === operand;
    default:
      if (op.startsWith('Timestamp')) return false;
      throw new WalkError(`a Choice comparison the cost walk does not know: ${op}`);
  }
}

/** Values worth trying for a free value: those its comparisons name, their neighbours, and one of each type. */
function candidatesFor(f: Free, rules: State[], read: (path: string) => Json): Json[] {
  const out: Json[] = [];
  const add = (v: Json) => {
    if (!out.some((x) => Object.is(x, v))) out.push(v);
  };
  const visit = (r: State) => {
    if (typeof r.Variable === 'string') {
      const v = read(r.Variable);
      if (isFree(v) && v.__free === f.__free) {
        for (const [op, operand] of Object.entries(r)) {
          if (op === 'Variable' || op === 'Next' || op.endsWith('Path')) continue;
          if (typeof operand === 'string') {
            add(operand);
            add(`${operand}-other`);
          } else if (typeof operand === 'number') {
            add(operand);
            add(operand + 1);
            add(operand - 1);
          } else if (typeof operand === 'boolean' && op === 'BooleanEquals') {
            add(true);
            add(false);
          }
        }
      }
    }
    for (const sub of (r.And ?? r.Or ?? []) as State[]) visit(sub);
    if (r.Not) visit(r.Not as State);
  };
  rules.forEach(visit);
  add('cost-value');
  if (f.optional) add(ABSENT);
  return f.text ? out.filter((v) => typeof v === 'string') : out;
}
