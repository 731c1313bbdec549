/** Both ASL validators the project holds its output to. */
import { compile, type CompileResult } from '../../lib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (d: unknown) => { isValid: boolean; errorsText: (sep?: string) => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stateLint = (require('@wmfs/statelint') as () => { validate: (d: unknown) => string[] })();

export interface AslProblems {
  aslValidator: string[];
  statelint: string[];
}

export function validateAsl(definition: unknown): AslProblems {
  // asl-validator mutates the definition it checks: give each validator its own copy.
  const a = aslValidator(structuredClone(definition));
  const s = stateLint.validate(structuredClone(definition));
  return { aslValidator: a.isValid ? [] : a.errorsText('\n').split('\n'), statelint: s };
}

/** Compiles a workflow text that must compile, and holds its definition to both validators. */
export function compileValid(source: string, file = 'f.osop.yaml'): CompileResult {
  const r = compile(file, { source });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  expectValidAsl(r.definition);
  return r;
}

export function expectValidAsl(definition: unknown): void {
  const p = validateAsl(definition);
  expect(p).toEqual({ aslValidator: [], statelint: [] });
}
