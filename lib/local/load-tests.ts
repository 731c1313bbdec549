/**
 * A workflow compiled, with its `tests:` section read against the definition:
 * what `osop-sfn test` and `osop-sfn mocks` start from.
 */
import { compile } from '../index';
import { DiagnosticSink } from '../diagnostics';
import { loadWorkflowFile } from '../load';
import { normaliseWorkflow } from '../normalise';
import type { AslDefinition, CompileReport, CompileResult, Diagnostic } from '../types';
import { readTestCases, TestCodes, type TestCase } from './test-cases';

export type Compiled = CompileResult & { definition: AslDefinition; report: CompileReport };

export type LoadedTests =
  | { ok: false; compiled: CompileResult }
  | { ok: true; compiled: Compiled; cases: TestCase[]; declared: number; problems: Diagnostic[] };

export function loadTests(file: string): LoadedTests {
  const compiled = compile(file);
  if (!compiled.ok || !compiled.definition || !compiled.report) return { ok: false, compiled };
  // Compiling succeeded, so loading and normalising again cannot fail; their diagnostics were reported by compile.
  const loaded = loadWorkflowFile(file, new DiagnosticSink({ path: file }))!;
  const wf = normaliseWorkflow(loaded, new DiagnosticSink({ path: file }))!;
  const sink = new DiagnosticSink(loaded.file);
  if (wf.tests.length === 0) sink.error(TestCodes.NoTests, `The workflow has no tests.`, null, "Add a 'tests:' section; the README's \"Run locally\" section shows its format.");
  const cases = readTestCases(wf.tests, loaded, compiled.definition, sink);
  return { ok: true, compiled: compiled as Compiled, cases, declared: wf.tests.length, problems: sink.diagnostics };
}
