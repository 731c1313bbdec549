/**
 * A workflow compiled, with its `tests:` section read against the definition:
 * what `osop-sfn test` and `osop-sfn mocks` start from.
 */
import { compileDocument } from '../index';
import { Codes, DiagnosticSink } from '../diagnostics';
import type { AslDefinition, CompileReport, CompileResult, Diagnostic } from '../types';
import { readTestCases, type TestCase } from './test-cases';

export type Compiled = CompileResult & { definition: AslDefinition; report: CompileReport };

export type LoadedTests =
  | { ok: false; compiled: CompileResult }
  | { ok: true; compiled: Compiled; cases: TestCase[]; declared: number; problems: Diagnostic[] };

export function loadTests(file: string): LoadedTests {
  const { result: compiled, loaded, workflow } = compileDocument(file);
  if (!compiled.ok || !compiled.definition || !compiled.report || !loaded || !workflow) return { ok: false, compiled };
  const sink = new DiagnosticSink(loaded.file);
  if (workflow.tests.length === 0) sink.report(Codes.NoTests, {}, null);
  const cases = readTestCases(workflow.tests, loaded, compiled.definition, compiled.report, sink);
  return { ok: true, compiled: compiled as Compiled, cases, declared: workflow.tests.length, problems: sink.diagnostics };
}
