/**
 * The Step Functions Local mock configuration generated from the seed's
 * tests: its shape against AWS's documented MockConfigFile format, and its
 * meaning, by replaying it (as Step Functions Local reads it: invocation
 * index → Return or Throw) on the local engine.
 */
import Ajv2020 from 'ajv/dist/2020';
import { statesEntered } from '../../lib/local/events';
import { taskError } from '../../lib/local/handlers';
import { loadTests } from '../../lib/local/load-tests';
import { buildMockConfig, type MockConfigFile } from '../../lib/local/mock-config';
import { runLocally, stateMachineName } from '../../lib/local/run-local';
import { runTestCase } from '../../lib/local/test-runner';
import { SEED } from '../helpers/paths';

const loaded = loadTests(SEED);
if (!loaded.ok) throw new Error('the seed does not compile');
const { definition, report } = loaded.compiled;
const config = buildMockConfig(loaded.cases, definition, report);

/**
 * "Using mocked service integrations" (Step Functions Local): top-level
 * StateMachines and MockedResponses; a test case maps state names to mocked
 * response names; a mocked response maps a zero-based invocation number or
 * an inclusive range "a-b" to exactly one of Return or Throw {Error, Cause}.
 */
const documentedShape = {
  type: 'object',
  additionalProperties: false,
  required: ['StateMachines', 'MockedResponses'],
  properties: {
    StateMachines: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['TestCases'],
        properties: { TestCases: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'string' } } } },
      },
    },
    MockedResponses: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: '^(0|[1-9][0-9]*)(-(0|[1-9][0-9]*))?$' },
        additionalProperties: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['Return'], properties: { Return: {} } },
            {
              type: 'object',
              additionalProperties: false,
              required: ['Throw'],
              properties: { Throw: { type: 'object', additionalProperties: false, required: ['Error', 'Cause'], properties: { Error: { type: 'string' }, Cause: { type: 'string' } } } },
            },
          ],
        },
      },
    },
  },
};

/** Invocation ranges of a mocked response, checked to start at 0 and follow one another. */
function rangesOf(response: Record<string, unknown>): [number, number][] {
  const ranges = Object.keys(response).map((k) => k.split('-').map(Number)).map(([a, b]) => [a, b ?? a] as [number, number]);
  ranges.sort((x, y) => x[0] - y[0]);
  ranges.forEach(([a, b], i) => {
    expect(b).toBeGreaterThanOrEqual(a);
    expect(a).toBe(i === 0 ? 0 : ranges[i - 1][1] + 1);
  });
  return ranges;
}

test('the configuration has the documented shape', () => {
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(documentedShape);
  expect(validate(config) ? [] : validate.errors).toEqual([]);
});

test('one state machine, named as `run --endpoint` creates it, with one test case per test', () => {
  expect(Object.keys(config.StateMachines)).toEqual([stateMachineName(report.workflowId)]);
  const cases = config.StateMachines['sop-stripe-payment'].TestCases;
  expect(Object.keys(cases)).toEqual(loaded.cases.map((c) => c.id));
  expect(cases.happy_path).toEqual({
    create_customer: 'happy_path.create_customer',
    create_intent: 'happy_path.create_intent',
    confirm_payment: 'happy_path.confirm_payment',
    check_status: 'happy_path.check_status',
    send_receipt: 'happy_path.send_receipt',
  });
});

test('every referenced response exists, names a Task state, and covers invocations from 0 without gaps', () => {
  const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([n]) => n);
  const referenced = Object.values(config.StateMachines).flatMap((m) => Object.values(m.TestCases).flatMap((tc) => Object.entries(tc)));
  for (const [state, response] of referenced) {
    expect(tasks).toContain(state);
    expect(config.MockedResponses).toHaveProperty([response]);
    rangesOf(config.MockedResponses[response]);
  }
  expect(Object.keys(config.MockedResponses).sort()).toEqual([...new Set(referenced.map(([, r]) => r))].sort());
});

test('a Return is a Lambda invoke result; agent mocks get the rest of the agent result', () => {
  expect(config.MockedResponses['happy_path.create_customer']['0-15']).toEqual({ Return: { StatusCode: 200, Payload: { customer_id: 'cus_test_1' } } });
  expect(config.MockedResponses['happy_path.send_receipt']['0-15']).toEqual({
    Return: { StatusCode: 200, Payload: { text: 'Subject: Your payment receipt', model: 'claude-sonnet-4-6', stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } } },
  });
  expect(config.MockedResponses['declined_card_takes_the_fallback_edge_then_succeeds.confirm_payment']).toEqual({
    '0': { Throw: { Error: 'OSOP.Http.Rejected', Cause: expect.stringContaining('card_declined') } },
    '1': { Return: { StatusCode: 200, Payload: {} } },
  });
  // An answer for every call: up to (1 + 3 fallback rounds) × (1 + 3 retries) calls.
  expect(Object.keys(config.MockedResponses['fallback_exhausted.confirm_payment'])).toEqual(['0-15']);
});

/** Step Functions Local's reading of a mocked response: the answer for the n-th invocation. */
function answer(response: MockConfigFile['MockedResponses'][string], n: number): unknown {
  const key = Object.keys(response).find((k) => {
    const [a, b] = k.split('-').map(Number);
    return n >= a && n <= (b ?? a);
  });
  if (key === undefined) throw new Error(`no mocked response for invocation ${n}`);
  const r = response[key];
  if ('Throw' in r) throw taskError(r.Throw.Error, r.Throw.Cause);
  return r.Return;
}

test.each(loaded.cases.map((c) => [c.id, c] as const))('replayed, test case %s takes the same path as `osop-sfn test`', async (_id, c) => {
  const mapping = config.StateMachines['sop-stripe-payment'].TestCases[c.id];
  const counts = new Map<string, number>();
  const handlers = Object.fromEntries(
    Object.entries(mapping).map(([state, name]) => [
      state,
      async () => {
        const n = counts.get(state) ?? 0;
        counts.set(state, n + 1);
        return answer(config.MockedResponses[name], n);
      },
    ]),
  );
  for (const [name, s] of Object.entries(definition.States)) if (s.Type === 'Task') handlers[name] ??= async () => { throw new Error(`unmocked ${name}`); };
  const replayed = await runLocally({ definition, report, input: c.input, fast: true, handlers });
  const tested = await runTestCase(c, definition, report);
  expect(tested.passed).toBe(true);
  expect(statesEntered(replayed.events)).toEqual(statesEntered(tested.outcome.events));
  expect([replayed.status, replayed.error]).toEqual([tested.outcome.status, tested.outcome.error]);
});
