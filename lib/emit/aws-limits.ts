/**
 * What CreateStateMachine refuses in a definition that the ASL validators let through: a Fail Cause
 * over 32,768 characters, intrinsic functions nested more than 10 deep, state names over 80 characters
 * (Step Functions Developer Guide, "Quotas" and "Intrinsic functions": "You can nest up to 10 intrinsic
 * functions within a field"; FailStateEnteredEventDetails caps Cause at 32,768). The compiler reports
 * them as diagnostics; the local engine refuses a hand-written definition with them before it runs.
 */

import { MAX_FAIL_CAUSE_CHARS, MAX_INTRINSIC_NESTING, MAX_STATE_NAME_CHARS } from '../contract/aws-quotas';

export interface DefinitionLimitProblem {
  state: string;
  kind: 'cause' | 'intrinsic' | 'name';
  message: string;
}

type States = Record<string, Record<string, unknown>>;

/** The deepest nesting of intrinsic calls in one field (quoted text does not count). */
export function intrinsicNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') max = Math.max(max, ++depth);
    else if (c === ')') depth--;
  }
  return max;
}

export function definitionLimitProblems(definition: { States: Record<string, unknown> }): DefinitionLimitProblem[] {
  const problems: DefinitionLimitProblem[] = [];
  const visitStates = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if (name.length > MAX_STATE_NAME_CHARS) problems.push({ state: name, kind: 'name', message: `State name '${name}' is ${name.length} characters; Step Functions accepts at most ${MAX_STATE_NAME_CHARS}.` });
      if (state.Type === 'Fail' && typeof state.Cause === 'string' && state.Cause.length > MAX_FAIL_CAUSE_CHARS) {
        problems.push({ state: name, kind: 'cause', message: `The Cause of Fail state '${name}' is ${state.Cause.length} characters; Step Functions accepts at most ${MAX_FAIL_CAUSE_CHARS}.` });
      }
      visitFields(name, state);
      for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) visitStates(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
      if (processor) visitStates(processor.States);
    }
  };
  const visitFields = (stateName: string, value: unknown, key = ''): void => {
    if (typeof value === 'string') {
      if (!key.endsWith('.$') || !value.startsWith('States.')) return;
      const depth = intrinsicNesting(value);
      if (depth > MAX_INTRINSIC_NESTING) problems.push({ state: stateName, kind: 'intrinsic', message: `Field '${key}' of state '${stateName}' nests intrinsic functions ${depth} deep; Step Functions accepts at most ${MAX_INTRINSIC_NESTING}.` });
      return;
    }
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visitFields(stateName, v, key);
      return;
    }
    for (const [k, v] of Object.entries(value)) if (k !== 'Branches' && k !== 'ItemProcessor' && k !== 'Iterator') visitFields(stateName, v, k);
  };
  visitStates(definition.States as States);
  return problems;
}
