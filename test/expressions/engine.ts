/**
 * Test helpers: run small definitions in aws-local-stepfunctions and check
 * them with asl-validator and statelint. (The jest setup loads the polyfills.)
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { ChoiceRule, LoweredCondition } from '../../lib/expressions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (def: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const statelint: () => { validate: (def: unknown) => string[] } = require('@wmfs/statelint');
const linter = statelint();

export type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/** Problems reported by asl-validator (which mutates its input) and statelint. */
export function validate(def: Definition): { asl: unknown[]; statelint: string[] } {
  const v = aslValidator(structuredClone(def));
  return { asl: v.isValid ? [] : v.errors, statelint: linter.validate(structuredClone(def)) };
}

export function choiceDefinition(rule: ChoiceRule): Definition {
  return {
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' },
      // Strings: the local engine ignores a falsy Result (`Result: false` passes the input through).
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  };
}

/**
 * The engine validates each definition with its bundled asl-validator, which
 * takes ~50 ms; tests skip that and call `validate` where it matters.
 */
const FAST = { validationOptions: { noValidate: true } };

/** Which branch a Choice with this rule takes on `input` (throws if the engine fails). */
export async function choose(lowered: LoweredCondition, input: unknown, executionName = 'run-1'): Promise<boolean> {
  if (lowered.kind === 'constant') return lowered.value;
  const sm = new StateMachine(choiceDefinition(lowered.rule) as never, FAST);
  const out = await sm.run(input as never, { context: { Execution: { Name: executionName } } as never }).result;
  if (out !== 'yes' && out !== 'no') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  return out === 'yes';
}

export function passDefinition(parameters: Record<string, unknown>): Definition {
  return { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } };
}

/** The output of a Pass state with these Parameters (`engineValidation`: let the engine validate the definition first). */
export async function runPass(parameters: Record<string, unknown>, input: unknown, executionName = 'run-1', engineValidation = false): Promise<Record<string, unknown>> {
  const sm = new StateMachine(passDefinition(parameters) as never, engineValidation ? {} : FAST);
  return (await sm.run(input as never, { context: { Execution: { Name: executionName } } as never }).result) as Record<string, unknown>;
}
