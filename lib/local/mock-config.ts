/**
 * A Step Functions Local mock configuration (`MockConfigFile.json`) from the
 * workflow's tests: one test case per test, one mocked response per mocked
 * node and test. AWS's format ("Using mocked service integrations"):
 *
 *   { "StateMachines": { <name>: { "TestCases": { <case>: { <state>: <response name> } } } },
 *     "MockedResponses": { <response name>: { "0": { "Return": ... }, "1-2": { "Throw": { "Error", "Cause" } } } } }
 *
 * Keys count the state's invocations from 0 (retries included), ranges
 * inclusive. A `Return` is what the service integration returns: for
 * lambda:invoke, `{ "StatusCode": 200, "Payload": <the function's result> }`
 * (mocked-results.ts has the other integrations).
 */
import type { AslDefinition, CompileReport } from '../types';
import { maxCallsOf, tasksByState } from './definition';
import { mockedCause, mockedError, mockedResult } from './mocked-results';
import { stateMachineName } from './run-local';
import type { MockEntry, TestCase } from './test-cases';

type MockedResponse = Record<string, { Return: unknown } | { Throw: { Error: string; Cause: string } }>;

export interface MockConfigFile {
  StateMachines: Record<string, { TestCases: Record<string, Record<string, string>> }>;
  MockedResponses: Record<string, MockedResponse>;
}

export function buildMockConfig(cases: TestCase[], definition: AslDefinition, report: CompileReport): MockConfigFile {
  const tasks = tasksByState(report);
  const testCases: Record<string, Record<string, string>> = {};
  const responses: Record<string, MockedResponse> = {};
  for (const c of cases) {
    const mapping: Record<string, string> = {};
    for (const [state, mock] of c.mocks) {
      const name = `${c.id}.${state}`;
      mapping[state] = name;
      const shape = (e: MockEntry): MockedResponse[string] =>
        e.error !== undefined ? { Throw: { Error: mockedError(tasks.get(state), e.error), Cause: mockedCause(tasks.get(state), e.error, e.cause ?? '') } } : { Return: mockedResult(tasks.get(state), e.outputs!) };
      // Every call's answer, in order; "thereafter" covers every call the state can get.
      const answers = mock.calls.map(shape);
      if (mock.thereafter) {
        const total = Math.max(maxCallsOf(definition, state), answers.length + 1);
        while (answers.length < total) answers.push(shape(mock.thereafter));
      }
      responses[name] = ranges(answers);
    }
    testCases[c.id] = mapping;
  }
  return { StateMachines: { [stateMachineName(report.workflowId)]: { TestCases: testCases } }, MockedResponses: responses };
}

/** Consecutive equal answers as one inclusive range key ("1-3"). */
function ranges(answers: MockedResponse[string][]): MockedResponse {
  const out: MockedResponse = {};
  let start = 0;
  for (let i = 1; i <= answers.length; i++) {
    if (i < answers.length && JSON.stringify(answers[i]) === JSON.stringify(answers[start])) continue;
    out[i - 1 === start ? String(start) : `${start}-${i - 1}`] = answers[start];
    start = i;
  }
  return out;
}
