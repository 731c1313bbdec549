/**
 * The workflow's `tests:` section, read and checked against the compiled
 * definition. The format (documented in the README, "Run locally"):
 *
 *   tests:
 *     - id: declined_then_succeeds
 *       type: simulation                   # unit | integration | e2e | simulation
 *       input: { ... }                     # the execution input (default {})
 *       mocks:                             # every Task node the case reaches
 *         create_customer: { outputs: { customer_id: cus_1 } }      # every call
 *         confirm_payment:                                          # call by call
 *           - { error: OSOP.Http.Rejected, cause: card_declined }
 *           - { outputs: {} }
 *       failure_injection:                 # errors before a node's mock answers
 *         check_status: { error: OSOP.Http.Transient, times: 1 }
 *       expect:
 *         status: succeeded                # or failed
 *         error: OSOP.FallbackExhausted    # failed only; `cause` matches a part of the cause
 *         nodes: [create_customer, ...]    # node states entered, in order (or path: every state)
 *         calls: { confirm_payment: 2 }    # handler calls per node, retries included
 *         outputs: { check_status: { status: succeeded } }   # part of the final output
 *       target_node: check_status          # optional: `expect.outputs` is then that node's outputs
 */
import { Codes, DiagnosticSink, type Code, type MessageParams, type SourceRange } from '../diagnostics';
import type { LoadedDocument } from '../load';
import type { WorkflowTest } from '../model';
import type { AslDefinition, CompileReport } from '../types';
import { didYouMean } from '../util/suggest';
import { allStates } from './definition';

export interface MockEntry {
  outputs?: Record<string, unknown>;
  error?: string;
  cause?: string;
}

/** A node's answers: `calls` in order, then `thereafter` for every further call (none: a further call is an error). */
export interface NodeMock {
  calls: MockEntry[];
  thereafter?: MockEntry;
}

export type ExpectedStatus = 'succeeded' | 'failed';

export interface TestExpectation {
  status?: ExpectedStatus;
  error?: string;
  cause?: string;
  path?: string[];
  nodes?: string[];
  calls?: Record<string, number>;
  outputs?: Record<string, unknown>;
}

export interface TestCase {
  id: string;
  type: string;
  targetNode?: string;
  input: unknown;
  mocks: Map<string, NodeMock>;
  expect: TestExpectation;
}

const CASE_KEYS = ['id', 'type', 'target_node', 'run', 'input', 'expect', 'mocks', 'failure_injection', 'description', 'name'];
const EXPECT_KEYS = ['status', 'error', 'cause', 'path', 'nodes', 'calls', 'outputs'];
const ENTRY_KEYS = ['outputs', 'error', 'cause'];
const INJECTION_KEYS = ['error', 'cause', 'times'];
const TYPES = ['unit', 'integration', 'e2e', 'simulation'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads every test of the workflow; problems go to `sink` (with positions) and their cases are left out. */
export function readTestCases(tests: WorkflowTest[], doc: LoadedDocument, definition: AslDefinition, report: Pick<CompileReport, 'nodes'>, sink: DiagnosticSink): TestCase[] {
  const reader = new TestReader(doc, definition, report, sink);
  const out: TestCase[] = [];
  const seen = new Set<string>();
  for (const t of tests) {
    if (seen.has(t.id)) {
      sink.report(Codes.DuplicateTestId, { id: t.id }, t.range);
      continue;
    }
    seen.add(t.id);
    const c = reader.read(t);
    if (c) out.push(c);
  }
  return out;
}

class TestReader {
  private errors = 0;
  private readonly tasks: Set<string>;
  private readonly states: Set<string>;

  private readonly nodeStates: Set<string>;

  constructor(private readonly doc: LoadedDocument, definition: AslDefinition, report: Pick<CompileReport, 'nodes'>, private readonly sink: DiagnosticSink) {
    this.nodeStates = new Set(report.nodes.map((n) => n.id));
    this.states = new Set(allStates(definition).map(([n]) => n));
    this.tasks = new Set(allStates(definition).filter(([, s]) => s.Type === 'Task').map(([n]) => n));
  }

  read(t: WorkflowTest): TestCase | undefined {
    const before = this.errors;
    const raw = t.raw;
    const what = `test '${t.id}'`;
    this.unknownKeys(raw, CASE_KEYS, what, t.range);
    const type = raw.type === undefined ? 'simulation' : String(raw.type);
    if (!TYPES.includes(type)) this.error(Codes.BadTestCase, { form: 'type', what, type, types: TYPES.join(', ') }, this.valueAt(raw, 'type'));
    if (raw.run !== undefined && raw.run !== 'full_workflow') this.error(Codes.BadTestCase, { form: 'run', what, run: String(raw.run) }, this.valueAt(raw, 'run'));
    let targetNode: string | undefined;
    if (raw.target_node !== undefined) {
      targetNode = String(raw.target_node);
      if (!this.states.has(targetNode) || !this.nodeStates.has(targetNode)) this.error(Codes.BadTestCase, { form: 'targetNode', what, targetNode, hint: this.suggestNode(targetNode) }, this.valueAt(raw, 'target_node'));
    }
    if (raw.input !== undefined && !isObj(raw.input)) this.error(Codes.BadTestCase, { form: 'input', what }, this.valueAt(raw, 'input'));
    const mocks = this.mocks(raw, what);
    this.injections(raw, what, mocks);
    const expect = this.expectation(raw, what);
    if (this.errors > before) return undefined;
    return { id: t.id, type, targetNode, input: raw.input ?? {}, mocks, expect };
  }

  private mocks(raw: Obj, what: string): Map<string, NodeMock> {
    const out = new Map<string, NodeMock>();
    if (raw.mocks === undefined) return out;
    if (!isObj(raw.mocks)) {
      this.error(Codes.BadMock, { form: 'mocksNotAMapping', what }, this.valueAt(raw, 'mocks'));
      return out;
    }
    for (const [node, value] of Object.entries(raw.mocks)) {
      const at = this.valueAt(raw.mocks, node);
      if (!this.tasks.has(node)) {
        this.error(Codes.BadMock, { form: 'notATask', what, node, hint: this.suggestTask(node) }, this.keyAt(raw.mocks, node));
        continue;
      }
      if (Array.isArray(value)) {
        if (value.length === 0) this.error(Codes.BadMock, { form: 'emptyList', what, node }, at);
        const calls = value.map((v, i) => this.entry(v, `${what}: mocks.${node}[${i}]`, this.itemAt(value, i)));
        if (calls.every(Boolean)) out.set(node, { calls: calls as MockEntry[] });
      } else {
        const entry = this.entry(value, `${what}: mocks.${node}`, at);
        if (entry) out.set(node, { calls: [], thereafter: entry });
      }
    }
    return out;
  }

  private entry(value: unknown, what: string, at: SourceRange | undefined): MockEntry | undefined {
    if (!isObj(value)) {
      this.error(Codes.BadMock, { form: 'entryNotAMapping', what }, at);
      return undefined;
    }
    this.unknownKeys(value, ENTRY_KEYS, what, at);
    const hasOutputs = value.outputs !== undefined;
    const hasError = value.error !== undefined;
    if (hasOutputs === hasError) {
      this.error(Codes.BadMock, { form: 'outputsOrError', what }, at);
      return undefined;
    }
    if (hasOutputs && !isObj(value.outputs)) {
      this.error(Codes.BadMock, { form: 'outputsNotAMapping', what }, this.valueAt(value, 'outputs'));
      return undefined;
    }
    if (hasError && (typeof value.error !== 'string' || value.error === '')) {
      this.error(Codes.BadMock, { form: 'errorName', what }, this.valueAt(value, 'error'));
      return undefined;
    }
    if (value.cause !== undefined && (typeof value.cause !== 'string' || hasOutputs)) {
      this.error(Codes.BadMock, { form: 'cause', what }, this.valueAt(value, 'cause'));
      return undefined;
    }
    return hasOutputs ? { outputs: value.outputs as Obj } : { error: value.error as string, cause: (value.cause as string | undefined) ?? '' };
  }

  /** `failure_injection: { node: { error, cause?, times? } }`: that many failing calls before the node's mock. */
  private injections(raw: Obj, what: string, mocks: Map<string, NodeMock>): void {
    const inj = raw.failure_injection;
    if (inj === undefined) return;
    if (!isObj(inj)) {
      this.error(Codes.BadMock, { form: 'injectionsNotAMapping', what }, this.valueAt(raw, 'failure_injection'));
      return;
    }
    for (const [node, spec] of Object.entries(inj)) {
      const w = `${what}: failure_injection.${node}`;
      if (!this.tasks.has(node)) {
        this.error(Codes.BadMock, { form: 'injectionNotATask', what: w, node, hint: this.suggestTask(node) }, this.keyAt(inj, node));
        continue;
      }
      if (!isObj(spec) || typeof spec.error !== 'string') {
        this.error(Codes.BadMock, { form: 'injectionShape', what: w }, this.valueAt(inj, node));
        continue;
      }
      this.unknownKeys(spec, INJECTION_KEYS, w, this.valueAt(inj, node));
      const times = spec.times ?? 1;
      if (!Number.isInteger(times) || (times as number) < 1) {
        this.error(Codes.BadMock, { form: 'times', what: w }, this.valueAt(spec, 'times'));
        continue;
      }
      const failing: MockEntry = { error: spec.error, cause: typeof spec.cause === 'string' ? spec.cause : 'injected failure' };
      const mock = mocks.get(node);
      if (!mock) {
        this.error(Codes.BadMock, { form: 'injectionWithoutMock', what: w, node }, this.keyAt(inj, node));
        continue;
      }
      mock.calls.unshift(...Array.from({ length: times as number }, () => failing));
    }
  }

  private expectation(raw: Obj, what: string): TestExpectation {
    const e = raw.expect;
    if (e === undefined) {
      this.error(Codes.BadExpectation, { form: 'noExpect', what }, this.keyAt(raw, 'id'));
      return {};
    }
    if (!isObj(e)) {
      this.error(Codes.BadExpectation, { form: 'notAMapping', what }, this.valueAt(raw, 'expect'));
      return {};
    }
    const before = this.errors;
    this.unknownKeys(e, EXPECT_KEYS, `${what}: expect`, this.valueAt(raw, 'expect'));
    const out: TestExpectation = {};
    if (e.status !== undefined) {
      if (e.status === 'succeeded' || e.status === 'failed') out.status = e.status;
      else this.error(Codes.BadExpectation, { form: 'status', what }, this.valueAt(e, 'status'));
    }
    for (const key of ['error', 'cause'] as const) {
      if (e[key] === undefined) continue;
      if (typeof e[key] === 'string') out[key] = e[key] as string;
      else this.error(Codes.BadExpectation, { form: 'text', what, key }, this.valueAt(e, key));
    }
    for (const key of ['path', 'nodes'] as const) {
      const list = e[key];
      if (list === undefined) continue;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
        this.error(Codes.BadExpectation, { form: 'list', what, key }, this.valueAt(e, key));
        continue;
      }
      const unknown = (list as string[]).find((s) => !this.states.has(s) || (key === 'nodes' && !this.nodeStates.has(s)));
      if (unknown !== undefined) this.error(Codes.BadExpectation, { form: 'unknownState', what, key, unknown, kind: key === 'nodes' ? 'node' : 'state', hint: key === 'nodes' ? this.suggestNode(unknown) : didYouMean(unknown, this.states) }, this.valueAt(e, key));
      else out[key] = list as string[];
    }
    if (e.calls !== undefined) {
      const calls = e.calls;
      if (!isObj(calls) || !Object.entries(calls).every(([n, c]) => this.tasks.has(n) && Number.isInteger(c) && (c as number) >= 0)) {
        this.error(Codes.BadExpectation, { form: 'calls', what }, this.valueAt(e, 'calls'));
      } else out.calls = calls as Record<string, number>;
    }
    if (e.outputs !== undefined) {
      if (!isObj(e.outputs)) this.error(Codes.BadExpectation, { form: 'outputs', what }, this.valueAt(e, 'outputs'));
      else out.outputs = e.outputs;
    }
    if (out.status === 'succeeded' && (out.error !== undefined || out.cause !== undefined)) {
      this.error(Codes.BadExpectation, { form: 'errorWithSuccess', what }, this.valueAt(e, 'status'));
    }
    if (Object.keys(out).length === 0 && this.errors === before) this.error(Codes.BadExpectation, { form: 'empty', what }, this.valueAt(raw, 'expect'));
    return out;
  }

  private unknownKeys(obj: Obj, known: string[], what: string, at: SourceRange | undefined): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key) || key.startsWith('x-')) continue;
      this.error(Codes.UnknownTestKey, { what, key, hint: didYouMean(key, known) ?? `Known keys: ${known.join(', ')}.` }, this.keyAt(obj, key) ?? at);
    }
  }

  private suggestNode(name: string): string | undefined {
    return didYouMean(name, [...this.nodeStates]);
  }

  private suggestTask(name: string): string | undefined {
    return didYouMean(name, this.tasks) ?? `Task nodes: ${[...this.tasks].join(', ')}.`;
  }

  private error<C extends Code>(code: C, params: MessageParams<C>, at: SourceRange | undefined): void {
    this.errors++;
    this.sink.report(code, params, at);
  }

  private keyAt(obj: unknown, key: string): SourceRange | undefined {
    return isObj(obj) ? this.doc.locations.get(obj)?.keys?.get(key)?.key : undefined;
  }

  private valueAt(obj: unknown, key: string): SourceRange | undefined {
    return isObj(obj) ? this.doc.locations.get(obj)?.keys?.get(key)?.value : undefined;
  }

  private itemAt(list: unknown[], i: number): SourceRange | undefined {
    return this.doc.locations.get(list)?.items?.[i]?.range;
  }
}
