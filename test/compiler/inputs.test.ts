/**
 * Declared inputs: defaults are merged under the execution input (only in
 * workflows that have defaults), required inputs are checked before anything
 * runs (OSOP.Input on AWS; `osop-sfn run --input` is validated against the
 * declared inputs first), undeclared `${inputs.x}` is an optional input.
 */
import { compile } from '../../lib';
import { runLocally } from '../../lib/local/run-local';
import { validateAsl } from '../helpers/asl';

const source = `osop_version: "1.0"
id: inputs
name: Inputs
inputs:
  order_id: { type: string, required: true }
  region: { type: string, default: eu-west-1 }
  note: { type: string, default: "it's {braced}: (a note)" }
nodes:
  - id: publish
    type: event
    runtime: { source: com.example, detail_type: Done, detail: { order: "\${inputs.order_id}", region: "\${inputs.region}", note: "\${inputs.note}", channel: "\${inputs.channel}" } }
  - { id: start, type: system, subtype: router }
edges:
  - { from: start, to: publish }
`;

const compiled = compile('inputs.osop.yaml', { source });

test('compiles, with both validators accepting the definition; an undeclared input is read as optional, with a warning', () => {
  expect(compiled.ok).toBe(true);
  const p = validateAsl(compiled.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
  expect(compiled.diagnostics.filter((d) => d.code === 'OSOP3025').map((d) => d.message)).toEqual([expect.stringContaining("'inputs.channel' names an input the workflow does not declare")]);
  expect(compiled.report!.inputSchema).toEqual({
    type: 'object',
    properties: { order_id: { type: 'string' }, region: { type: 'string' }, note: { type: 'string' }, channel: {} },
    required: ['order_id'],
  });
});

async function run(input: unknown) {
  let detail: unknown;
  const outcome = await runLocally({
    definition: compiled.definition!,
    report: compiled.report!,
    input,
    fast: true,
    handlers: {
      publish: async (params) => {
        detail = (params as { Entries: { Detail: unknown }[] }).Entries[0].Detail;
        return { Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 };
      },
    },
  });
  return { outcome, detail };
}

test('defaults fill what the input lacks; the input wins where it has a value', async () => {
  const { outcome, detail } = await run({ order_id: 'o-1', region: 'us-east-1', channel: 'web' });
  expect(outcome.status).toBe('SUCCEEDED');
  expect(detail).toEqual({ order: 'o-1', region: 'us-east-1', note: "it's {braced}: (a note)", channel: 'web' });
});

test('a missing required input fails the execution at once with OSOP.Input, naming it', async () => {
  const { outcome, detail } = await run({ region: 'x' });
  expect(outcome.status).toBe('FAILED');
  expect(outcome.error).toBe('OSOP.Input');
  expect(outcome.cause).toContain("has no 'order_id', a required input of workflow 'inputs'");
  expect(detail).toBeUndefined();
});

test('without defaults and required inputs, no state is added and the input is passed as it is', () => {
  const plain = compile('p.osop.yaml', { source: 'osop_version: "1.0"\nid: p\nname: P\ninputs: { a: { type: string } }\nnodes:\n  - { id: r, type: system, subtype: router }\n' });
  expect(Object.keys(plain.definition!.States)).toEqual(['osop:init', 'r']);
  expect((plain.definition!.States['osop:init'] as { Parameters: Record<string, unknown> }).Parameters['input.$']).toBe('$');
});
