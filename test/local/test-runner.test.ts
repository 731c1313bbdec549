/**
 * `tests:` sections: read with positions, run on the local engine with mocks
 * only. The seed's own tests must pass; broken expectations, unmocked nodes
 * and malformed tests must be reported as such.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTests, type LoadedTests } from '../../lib/local/load-tests';
import { runTestCase, subsetMismatches } from '../../lib/local/test-runner';
import { SEED } from '../helpers/paths';

const seedText = fs.readFileSync(SEED, 'utf8');
const seedWithoutTests = seedText.slice(0, seedText.indexOf('\ntests:'));
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-tests-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The seed workflow with another tests: section. */
function withTests(yaml: string): Extract<LoadedTests, { ok: true }> {
  const file = path.join(dir, `w${Math.random().toString(36).slice(2)}.osop.yaml`);
  fs.writeFileSync(file, `${seedWithoutTests}\ntests:\n${yaml}`);
  const loaded = loadTests(file);
  if (!loaded.ok) throw new Error('the workflow does not compile');
  return loaded;
}

const MOCKS = `
    mocks:
      create_customer: { outputs: { customer_id: "cus_1" } }
      create_intent: { outputs: { intent_id: "pi_1", client_secret: "s" } }
      confirm_payment: { outputs: {} }
      check_status: { outputs: { status: "succeeded" } }
      send_receipt: { outputs: { text: "receipt" } }`;

test("the seed's own tests all pass", async () => {
  const loaded = loadTests(SEED);
  if (!loaded.ok) throw new Error('the seed does not compile');
  expect(loaded.problems).toEqual([]);
  expect(loaded.cases.map((c) => c.id)).toEqual([
    'happy_path',
    'declined_card_takes_the_fallback_edge_then_succeeds',
    'fallback_exhausted',
    'requires_action_sends_no_receipt',
    'transient_error_on_confirm_is_retried',
  ]);
  for (const c of loaded.cases) {
    const r = await runTestCase(c, loaded.compiled.definition, loaded.compiled.report);
    expect({ id: c.id, error: r.error, failures: r.failures }).toEqual({ id: c.id, error: undefined, failures: [] });
  }
});

test('every expectation that does not hold is reported', async () => {
  const loaded = withTests(`  - id: wrong
    type: unit${MOCKS}
    expect:
      status: failed
      error: OSOP.FallbackExhausted
      nodes: [create_customer, send_receipt]
      calls: { confirm_payment: 2 }
      outputs: { check_status: { status: requires_action }, send_receipt: { text: "receipt" } }
`);
  const r = await runTestCase(loaded.cases[0], loaded.compiled.definition, loaded.compiled.report);
  expect(r.passed).toBe(false);
  expect(r.failures).toEqual([
    'status: expected failed, got succeeded',
    'error: expected OSOP.FallbackExhausted, got none',
    'nodes: expected create_customer → send_receipt, got create_customer → create_intent → confirm_payment → check_status → send_receipt',
    'calls.confirm_payment: expected 2, got 1',
    'outputs.check_status.status: expected "requires_action", got "succeeded"',
  ]);
});

test('target_node compares expect.outputs with that node’s outputs', async () => {
  const loaded = withTests(`  - id: t
    target_node: check_status${MOCKS}
    expect: { outputs: { status: "succeeded" } }
`);
  expect((await runTestCase(loaded.cases[0], loaded.compiled.definition, loaded.compiled.report)).passed).toBe(true);
});

test('a node reached without a mock stops the case with an error, before any fallback can take it', async () => {
  const loaded = withTests(`  - id: unmocked
    mocks:
      create_customer: { outputs: { customer_id: "cus_1" } }
      create_intent: { outputs: { intent_id: "pi_1", client_secret: "s" } }
    expect: { status: succeeded }
`);
  const r = await runTestCase(loaded.cases[0], loaded.compiled.definition, loaded.compiled.report);
  expect(r.passed).toBe(false);
  expect(r.error).toBe("'confirm_payment' was called but the test has no mock for it (tests never call the network); add mocks.confirm_payment.");
  // confirm_payment's Catch did not send the run back to create_intent.
  expect(r.outcome.events.filter((e) => e.kind === 'entered' && e.state === 'create_intent')).toHaveLength(1);
});

test('a mock list shorter than the calls, and a mock lacking an output the state reads, are errors', async () => {
  const loaded = withTests(`  - id: short
    mocks:
      create_customer: { outputs: { customer_id: "cus_1" } }
      create_intent: [ { outputs: { intent_id: "pi_1", client_secret: "s" } } ]
      confirm_payment: [ { error: OSOP.Http.Rejected, cause: declined } ]
    expect: { status: succeeded }
  - id: lacking
    mocks:
      create_customer: { outputs: { customer: "cus_1" } }
    expect: { status: succeeded }
`);
  const [short, lacking] = await Promise.all(loaded.cases.map((c) => runTestCase(c, loaded.compiled.definition, loaded.compiled.report)));
  expect(short.error).toBe("'create_intent' was called 2 times but its mock lists 1 answers.");
  expect(lacking.error).toBe("the mock of 'create_customer' lacks the output(s) 'customer_id' that the state reads.");
});

test('failure_injection puts failing calls before the mock: a transient one is retried', async () => {
  const loaded = withTests(`  - id: injected${MOCKS}
    failure_injection:
      send_receipt: { error: OSOP.Llm.Transient, times: 2 }
    expect: { status: succeeded, calls: { send_receipt: 3 } }
`);
  const r = await runTestCase(loaded.cases[0], loaded.compiled.definition, loaded.compiled.report);
  expect(r.failures).toEqual([]);
  expect(r.outcome.events.filter((e) => e.kind === 'retried').map((e) => e.state)).toEqual(['send_receipt', 'send_receipt']);
});

test('malformed tests are reported with their position and left out', () => {
  const loaded = withTests(`  - id: bad
    type: smoke
    mocks:
      confirm_paymnt: { outputs: {} }
      create_intent: { outputs: {}, error: X }
      check_status: [ { output: {} } ]
    expect: { status: done, nodez: [] }
  - id: good${MOCKS}
    expect: { status: succeeded }
  - id: good
    expect: { status: succeeded }
`);
  expect(loaded.cases.map((c) => c.id)).toEqual(['good']);
  const lines = loaded.problems.map((d) => `${d.code} ${d.line} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);
  const base = seedWithoutTests.split('\n').length + 1; // the line of "tests:"
  expect(lines).toEqual([
    `OSOP6001 ${base + 2} test 'bad': type 'smoke' is not one of unit, integration, e2e, simulation.`,
    `OSOP6003 ${base + 4} test 'bad': 'confirm_paymnt' is not a Task node of the workflow, so it cannot be mocked. | Did you mean 'confirm_payment'?`,
    `OSOP6003 ${base + 5} test 'bad': mocks.create_intent needs exactly one of 'outputs' (the handler returns them) or 'error' (the handler throws it).`,
    `OSOP6002 ${base + 6} test 'bad': mocks.check_status[0]: unknown key 'output'. | Did you mean 'outputs'?`,
    `OSOP6003 ${base + 6} test 'bad': mocks.check_status[0] needs exactly one of 'outputs' (the handler returns them) or 'error' (the handler throws it).`,
    `OSOP6002 ${base + 7} test 'bad': expect: unknown key 'nodez'. | Did you mean 'nodes'?`,
    `OSOP6004 ${base + 7} test 'bad': expect.status must be succeeded or failed.`,
    expect.stringMatching(/^OSOP6006 \d+ Two tests are named 'good'\./),
  ]);
});

test('subset comparison: only the expected keys count, lists whole', () => {
  expect(subsetMismatches({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 }, 'o')).toEqual([]);
  expect(subsetMismatches({ a: [1, 2] }, { a: [1] }, 'o')).toEqual(['o.a: expected [1,2], got [1]']);
  expect(subsetMismatches({ a: 1 }, null, 'o')).toEqual(['o: expected a mapping, got null']);
});
