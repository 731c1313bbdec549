/**
 * Running workflows locally from code (`osop-sfn/local`): the same ASL as on
 * AWS, on the local engine, each Task bound in-process to the handler Lambda
 * runs. Loads the local engine (not the compile path: `osop-sfn` stays light).
 */
import { loadTests } from './load-tests';
import { runTestCase, type TestResult } from './test-runner';
import type { Diagnostic } from '../types';

export { runLocally, type LocalRunRequest } from './run-local';
export type { ExecutionOutcome, ExecutionStatus, RunEvent, RunWatcher } from './events';
export type { TestResult } from './test-runner';
export { startSandbox, type Sandbox } from '../../sandbox';

export interface WorkflowTestRun {
  /** Every case passed, and the workflow and its `tests:` section have no errors. */
  ok: boolean;
  /** Compile errors, or problems with the `tests:` section (each case that cannot run). */
  diagnostics: Diagnostic[];
  /** One result per case that ran, in file order. */
  results: { id: string; result: TestResult }[];
}

/** What `osop-sfn test FILE` runs: the workflow's `tests:` on the local engine, every Task answered by its mock. */
export async function testWorkflow(file: string, options: { cases?: string[] } = {}): Promise<WorkflowTestRun> {
  const loaded = loadTests(file);
  if (!loaded.ok) return { ok: false, diagnostics: loaded.compiled.diagnostics, results: [] };
  const cases = options.cases ? loaded.cases.filter((c) => options.cases!.includes(c.id)) : loaded.cases;
  const results: WorkflowTestRun['results'] = [];
  for (const c of cases) results.push({ id: c.id, result: await runTestCase(c, loaded.compiled.definition, loaded.compiled.report) });
  const invalid = options.cases ? 0 : loaded.declared - loaded.cases.length;
  return { ok: !invalid && !loaded.problems.length && results.every((r) => r.result.passed), diagnostics: [...loaded.compiled.diagnostics, ...loaded.problems], results };
}
