/**
 * Runs test cases on the local engine with every Task answered by its mock:
 * no handler is called and nothing goes over the network. A Task a case did
 * not mock stops that case with an error rather than calling out.
 */
import type { AslDefinition, CompileReport } from '../types';
import { allStates, nodeStatesOf, tasksByState } from './definition';
import { statesEntered, type ExecutionOutcome } from './events';
import { taskError, type LocalTaskHandler } from './handlers';
import { missingOutputs, mockedCause, mockedError, mockedResult } from './mocked-results';
import { runLocally } from './run-local';
import type { MockEntry, NodeMock, TestCase } from './test-cases';

export interface TestResult {
  id: string;
  passed: boolean;
  /** What did not match the expectation. */
  failures: string[];
  /** The case could not run as written (an unmocked node, a mock too short): an error, not a failure. */
  error?: string;
  outcome: ExecutionOutcome;
}

export async function runTestCase(c: TestCase, definition: AslDefinition, report: CompileReport): Promise<TestResult> {
  const abort = new AbortController();
  const calls = new Map<string, number>();
  let harnessError: string | undefined;
  const stop = (message: string): never => {
    harnessError ??= message;
    abort.abort();
    // Not a Task failure (a Catch must not take it): the run is aborted right after.
    throw taskError('OSOP.Test.Harness', message);
  };
  const handlers: Record<string, LocalTaskHandler> = {};
  const tasks = tasksByState(report);
  for (const [state] of allStates(definition).filter(([, s]) => s.Type === 'Task')) {
    const task = tasks.get(state);
    handlers[state] = async (input) => {
      const n = calls.get(state) ?? 0;
      calls.set(state, n + 1);
      const mock = c.mocks.get(state);
      if (!mock) return stop(`'${state}' was called but the test has no mock for it (tests never call the network); add mocks.${state}.`);
      const entry = answerFor(mock, n);
      if (!entry) return stop(`'${state}' was called ${n + 1} times but its mock lists ${mock.calls.length} answers.`);
      // A mocked function error arrives as AWS delivers it: the cause is the Lambda runtime's envelope.
      if (entry.error !== undefined) throw taskError(mockedError(task, entry.error), mockedCause(task, entry.error, entry.cause ?? ''));
      void input;
      const result = mockedResult(task, entry.outputs!);
      const missing = missingOutputs(definition, state, task, result);
      if (missing.length) return stop(`the mock of '${state}' lacks the output(s) ${missing.map((m) => `'${m}'`).join(', ')} that the state reads.`);
      return result;
    };
  }
  const outcome = await runLocally({ definition, report, input: c.input, fast: true, handlers, signal: abort.signal });
  if (harnessError) return { id: c.id, passed: false, failures: [], error: harnessError, outcome };
  const failures = check(c, outcome, calls, nodeStatesOf(report));
  return { id: c.id, passed: failures.length === 0, failures, outcome };
}

function answerFor(mock: NodeMock, n: number): MockEntry | undefined {
  return mock.calls[n] ?? mock.thereafter;
}

function check(c: TestCase, outcome: ExecutionOutcome, calls: Map<string, number>, nodeStates: Set<string>): string[] {
  const e = c.expect;
  const out: string[] = [];
  const status = outcome.status === 'SUCCEEDED' ? 'succeeded' : outcome.status === 'FAILED' ? 'failed' : outcome.status.toLowerCase();
  const how = outcome.status === 'SUCCEEDED' ? '' : ` (${outcome.error}: ${outcome.cause})`;
  if (e.status && e.status !== status) out.push(`status: expected ${e.status}, got ${status}${how}`);
  if (e.error !== undefined && e.error !== outcome.error) out.push(`error: expected ${e.error}, got ${outcome.error ?? 'none'}`);
  if (e.cause !== undefined && !(outcome.cause ?? '').includes(e.cause)) out.push(`cause: expected it to contain '${e.cause}', got '${outcome.cause ?? ''}'`);
  const entered = statesEntered(outcome.events);
  if (e.path && !sameList(e.path, entered)) out.push(`path: expected ${e.path.join(' → ')}, got ${entered.join(' → ')}`);
  const nodes = entered.filter((s) => nodeStates.has(s));
  if (e.nodes && !sameList(e.nodes, nodes)) out.push(`nodes: expected ${e.nodes.join(' → ')}, got ${nodes.join(' → ')}`);
  for (const [node, n] of Object.entries(e.calls ?? {})) {
    if ((calls.get(node) ?? 0) !== n) out.push(`calls.${node}: expected ${n}, got ${calls.get(node) ?? 0}`);
  }
  if (e.outputs) {
    if (outcome.status !== 'SUCCEEDED') out.push('outputs: the execution did not succeed, so it has no final output');
    else {
      const actual = c.targetNode ? (outcome.output as Record<string, unknown> | null)?.[c.targetNode] : outcome.output;
      out.push(...subsetMismatches(e.outputs, actual, c.targetNode ? `outputs of ${c.targetNode}` : 'outputs'));
    }
  }
  return out;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Where `actual` differs from `expected`: objects are compared on the keys `expected` has. */
export function subsetMismatches(expected: unknown, actual: unknown, at: string): string[] {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: expected a mapping, got ${JSON.stringify(actual) ?? 'nothing'}`];
    return Object.entries(expected).flatMap(([k, v]) => subsetMismatches(v, (actual as Record<string, unknown>)[k], `${at}.${k}`));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual) ?? 'nothing'}`];
    return expected.flatMap((v, i) => subsetMismatches(v, actual[i], `${at}[${i}]`));
  }
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual) ?? 'nothing'}`];
}
