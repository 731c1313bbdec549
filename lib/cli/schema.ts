/** `osop-sfn schema`: the JSON Schema of workflow files (lib/schema), for editors. */
import * as fs from 'node:fs';
import { workflowJsonSchemaText } from '../schema';
import { ExitCode } from './output';

export function runSchema(opts: { out?: string }): number {
  const text = workflowJsonSchemaText();
  if (!opts.out) {
    process.stdout.write(text);
    return ExitCode.Ok;
  }
  try {
    fs.writeFileSync(opts.out, text);
  } catch (e) {
    process.stderr.write(`osop-sfn: cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).message}\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}
