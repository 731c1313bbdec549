/** Both ASL validators the project holds its output to. */
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

export function expectValidAsl(definition: unknown): void {
  const p = validateAsl(definition);
  expect(p).toEqual({ aslValidator: [], statelint: [] });
}
