/**
 * A States.Runtime error from a state the compiler wrote speaks OSOP: the node, and the `${...}` or input
 * that had no value, not only a JSONPath. Run on the local engine; the same explanation reaches the
 * progress display and the execution record (they read these events).
 */
import { compile } from '../../lib';
import { runLocally } from '../../lib/local/run-local';
import { explainRuntimeCause } from '../../lib/local/runtime-errors';

const source = `osop_version: "1.0"
id: charge
name: Charge
inputs:
  - { name: note, type: string, required: false }
nodes:
  - { id: find, type: api, runtime: { url: "https://api.example.com/find", method: GET }, outputs: [customer_id] }
  - { id: charge, type: api, runtime: { url: "https://api.example.com/charge", method: POST, body: { customer: "\${find.customer_id}", note: "\${inputs.note}" } } }
edges:
  - { from: find, to: charge }
`;
const compiled = compile('charge.osop.yaml', { source });
const invoke = (payload: unknown) => async () => ({ Payload: payload, StatusCode: 200 });

test('a handler that does not return a declared output: the node and the output are named', async () => {
  const o = await runLocally({ definition: compiled.definition!, report: compiled.report!, input: { note: 'n' }, fast: true, handlers: { find: invoke({}), charge: invoke({}) } });
  expect([o.status, o.error]).toEqual(['FAILED', 'States.Runtime']);
  expect(o.cause).toMatch(/In OSOP terms, in node 'find' \(state 'find'\): node 'find' returned no 'customer_id'/);
  expect(o.events.at(-1)).toMatchObject({ kind: 'failed', cause: o.cause });
});

test('an optional input the execution was not given: the node checks it first and fails with OSOP.Input, naming it (see optional-inputs.test.ts)', async () => {
  const o = await runLocally({ definition: compiled.definition!, report: compiled.report!, input: {}, fast: true, handlers: { find: invoke({ customer_id: 'cus_1' }), charge: invoke({}) } });
  expect([o.status, o.error]).toEqual(['FAILED', 'OSOP.Input']);
  expect(o.cause).toContain("Node 'charge' needs the input 'note'");
});

test('a field of an input the execution was not given: the ${inputs.x.y} and the input are named', async () => {
  const nested = compile('charge.osop.yaml', { source: source.replace('{ name: note, type: string, required: false }', '{ name: note, type: object, required: true }').replace('${inputs.note}', '${inputs.note.text}') });
  const o = await runLocally({ definition: nested.definition!, report: nested.report!, input: { note: {} }, fast: true, handlers: { find: invoke({ customer_id: 'cus_1' }), charge: invoke({}) } });
  expect([o.status, o.error]).toEqual(['FAILED', 'States.Runtime']);
  expect(o.cause).toContain("in node 'charge' (state 'charge'): ${inputs.note.text} has no value");
});

test('the JSONPath forms the compiler writes, one by one', () => {
  const report = { workflowId: 'w', tasks: [{ state: 'charge', node: 'charge' }] } as never;
  expect(explainRuntimeCause('charge', "The JSONPath '$.outputs.find.customer_id' specified for the field 'customer.$' could not be found", report)).toContain("${find.customer_id} has no value: node 'find' did not produce output 'customer_id'");
  expect(explainRuntimeCause('charge:route', "Path expression '$.outputs.find' does not point to a value", report)).toContain("in node 'charge' (state 'charge:route'): node 'find' has no outputs here");
  expect(explainRuntimeCause('osop:init', "Path expression '$.input.x' does not point to a value", report)).toContain("at the start of workflow 'w'");
  expect(explainRuntimeCause('charge', 'something else', report)).toBe("something else (in node 'charge' (state 'charge'))");
});
