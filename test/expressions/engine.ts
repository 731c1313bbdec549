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
      Yes: { Type: 'Pass', Result: true, End: true },
      No: { Type: 'Pass', Result: false, End: true },
    },
  };
}

/** Which branch a Choice with this rule takes on `input` (throws if the engine fails). */
export async function choose(lowered: LoweredCondition, input: unknown): Promise<boolean> {
  if (lowered.kind === 'constant') return lowered.value;
  return (await new StateMachine(choiceDefinition(lowered.rule) as never).run(input as never).result) as boolean;
}

export function passDefinition(parameters: Record<string, unknown>): Definition {
  return { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: parameters, End: true } } };
}

/** The output of a Pass state with these Parameters. */
export async function runPass(parameters: Record<string, unknown>, input: unknown, executionName = 'run-1'): Promise<Record<string, unknown>> {
  const sm = new StateMachine(passDefinition(parameters) as never);
  return (await sm.run(input as never, { context: { Execution: { Name: executionName } } as never }).result) as Record<string, unknown>;
}
