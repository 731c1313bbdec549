/**
 * The runtime of a custom handler node (`x-sfn: { handler }`) is a template
 * like the other bindings' fields (issue 11): references are checked and
 * written as JSONPath / States.Format in the Task's Parameters, secrets stay
 * placeholders listed in `secretFields` and in the report's task `secrets`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '../../lib';
import { FIXTURES } from '../helpers/paths';

const TEMPLATED = path.join(FIXTURES, 'local', 'templated-handler.osop.yaml');

test('the Task passes the runtime with its references as paths and its secret as a listed placeholder', () => {
  const r = compile(TEMPLATED);
  expect(r.ok).toBe(true);
  const state = r.definition!.States.publish as { Parameters: { Payload: Record<string, unknown> }; Retry: { ErrorEquals: string[] }[] };
  expect(state.Parameters.Payload).toEqual({
    kind: 'custom',
    workflowId: 'templated-handler',
    nodeId: 'publish',
    'executionId.$': '$$.Execution.Id',
    attempt: 0,
    secretFields: { '/runtime/auth/header': ['PUBLISH_TOKEN'] },
    nodeType: 'cli',
    runtime: {
      'target.$': "States.Format('{}@{}', $.input.channel, $.outputs.checkout.sha)",
      'sha.$': '$.outputs.checkout.sha',
      'channels.$': "States.Array($.input.channel, 'beta')",
      auth: { header: 'Bearer ${secrets.PUBLISH_TOKEN}' },
      literal: '${inputs.channel}',
      retries: 2,
    },
    'input.$': '$.input',
    'context.$': '$.outputs',
  });
  // The wrapper's secret store out of reach is retried like any transient error.
  expect(state.Retry[0].ErrorEquals[0]).toBe('OSOP.Http.Transient');
  expect(r.report!.tasks.map((t) => [t.node, t.secrets])).toEqual([['checkout', []], ['publish', ['PUBLISH_TOKEN']]]);
  expect(r.report!.secrets).toEqual([{ name: 'PUBLISH_TOKEN', nodes: ['publish'] }]);
  // Without secrets nothing changes: no secretFields, no extra retry.
  const checkout = r.definition!.States.checkout as { Parameters: { Payload: Record<string, unknown> }; Retry: { ErrorEquals: string[] }[] };
  expect(checkout.Parameters.Payload.secretFields).toBeUndefined();
  expect(checkout.Parameters.Payload.runtime).toEqual({ repo: 'org/app', branch: 'main' });
  expect(checkout.Retry[0].ErrorEquals).not.toContain('OSOP.Http.Transient');
});

test("a reference in the runtime is checked like any other, at its position; keys ending in '.$' lose the suffix", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-custom-'));
  try {
    fs.writeFileSync(path.join(dir, 'h.ts'), 'export const handler = async () => ({});\n');
    const file = path.join(dir, 'c.osop.yaml');
    const source = (target: string) =>
      `osop_version: "1.1"\nid: c\nname: c\nnodes:\n  - id: a\n    type: cli\n    runtime: { target: "${target}", "key.$": "$.x" }\n    x-sfn: { handler: h.ts }\nedges: []\n`;
    const bad = compile(file, { source: source('${nobody.sha}') });
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line, d.column])).toEqual([['OSOP3007', 7, 27]]);
    const good = compile(file, { source: source('${inputs.sha}') });
    expect(good.ok).toBe(true);
    expect((good.definition!.States.a as { Parameters: { Payload: { runtime: unknown } } }).Parameters.Payload.runtime).toEqual({ 'target.$': '$.input.sha', key: '$.x' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
