/**
 * `osop-sfn test FILE`: runs the workflow's own `tests:` on the local engine,
 * every Task answered by its mock (no network). One line per case; exit 1
 * when a case fails or cannot run.
 */
import { ExitCode, plural, printDiagnostics } from './output';

export interface TestOptions {
  case?: string[];
}

export async function runTest(file: string, opts: TestOptions): Promise<number> {
  // Loaded here: only `test` needs the engine.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadTests } = require('../local/load-tests') as typeof import('../local/load-tests');
  const { runTestCase } = require('../local/test-runner') as typeof import('../local/test-runner');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = loadTests(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.compiled.diagnostics, 'pretty');
    return loaded.compiled.internalError ? ExitCode.Internal : ExitCode.Failed;
  }
  printDiagnostics(loaded.problems, 'pretty');
  let cases = loaded.cases;
  if (opts.case?.length) {
    const unknown = opts.case.filter((id) => !cases.some((c) => c.id === id));
    if (unknown.length) {
      process.stderr.write(`osop-sfn: no test named ${unknown.map((u) => `'${u}'`).join(', ')} in ${file}. Tests: ${cases.map((c) => c.id).join(', ') || 'none'}.\n`);
      return ExitCode.Usage;
    }
    cases = cases.filter((c) => opts.case!.includes(c.id));
  }
  const invalid = opts.case?.length ? 0 : loaded.declared - loaded.cases.length;
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    const r = await runTestCase(c, loaded.compiled.definition, loaded.compiled.report);
    const ms = r.outcome.endedAt - r.outcome.startedAt;
    if (r.passed) {
      passed++;
      process.stdout.write(`✓ ${c.id} (${ms} ms)\n`);
      continue;
    }
    failed++;
    process.stdout.write(`✗ ${c.id} (${ms} ms)\n`);
    for (const line of r.error ? [`error: ${r.error}`] : r.failures) process.stdout.write(`    ${line}\n`);
  }
  const errored = invalid ? `, ${plural(invalid, 'invalid test')} not run` : '';
  process.stdout.write(`\n${passed} passed, ${failed} failed${errored}\n`);
  return failed || invalid || loaded.problems.length ? ExitCode.Failed : ExitCode.Ok;
}
