/**
 * `osop-sfn mocks FILE`: a Step Functions Local mock configuration
 * (MockConfigFile.json) generated from the workflow's `tests:`.
 */
import * as fs from 'node:fs';
import { ExitCode, printDiagnostics } from './output';

export function runMocks(file: string, opts: { out?: string }): number {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadTests } = require('../local/load-tests') as typeof import('../local/load-tests');
  const { buildMockConfig } = require('../local/mock-config') as typeof import('../local/mock-config');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const loaded = loadTests(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.compiled.diagnostics, 'pretty');
    return loaded.compiled.internalError ? ExitCode.Internal : ExitCode.Failed;
  }
  printDiagnostics(loaded.problems, 'pretty');
  // A configuration missing some tests would look complete: write none.
  if (loaded.problems.length) return ExitCode.Failed;
  const text = `${JSON.stringify(buildMockConfig(loaded.cases, loaded.compiled.definition, loaded.compiled.report), null, 2)}\n`;
  try {
    if (opts.out) fs.writeFileSync(opts.out, text);
    else process.stdout.write(text);
  } catch (e) {
    process.stderr.write(`osop-sfn: cannot write output: ${(e as NodeJS.ErrnoException).message}\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}
