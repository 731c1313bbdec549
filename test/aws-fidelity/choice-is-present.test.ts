/**
 * `IsPresent: false` is true on AWS when the path has no value. aws-local-stepfunctions 3.0.0 evaluates it
 * as never true; the local layer runs such a rule as `Not: { IsPresent: true }` (lib/local/definition.ts),
 * at any depth (And, Or, Not), so a local run takes the branch AWS takes.
 */
import { compile } from '../../lib';
import { statesEntered } from '../../lib/local/events';
import { runLocally } from '../../lib/local/run-local';
import type { AslDefinition } from '../../lib/types';

const { report } = compile('x.osop.yaml', { source: 'osop_version: "1.0"\nid: x\nname: x\nnodes:\n  - { id: a, type: system, subtype: router }\n' });

function machine(rule: Record<string, unknown>): AslDefinition {
  return {
    StartAt: 'pick',
    States: {
      pick: { Type: 'Choice', Choices: [{ ...rule, Next: 'absent' }], Default: 'present' },
      absent: { Type: 'Succeed' },
      present: { Type: 'Succeed' },
    },
  };
}

test.each([
  ['IsPresent: false, the path missing', { Variable: '$.x', IsPresent: false }, {}, 'absent'],
  ['IsPresent: false, a nested path missing', { Variable: '$.x.y', IsPresent: false }, { x: {} }, 'absent'],
  ['IsPresent: false, the path there', { Variable: '$.x', IsPresent: false }, { x: 0 }, 'present'],
  ['inside And', { And: [{ Variable: '$.x', IsPresent: false }, { Variable: '$.y', StringEquals: 'go' }] }, { y: 'go' }, 'absent'],
  ['inside Not', { Not: { Variable: '$.x', IsPresent: false } }, {}, 'present'],
])('%s', async (_name, rule, input, branch) => {
  const o = await runLocally({ definition: machine(rule), report: report!, input, fast: true, handlers: {} });
  expect(o.status).toBe('SUCCEEDED');
  expect(statesEntered(o.events)).toEqual(['pick', branch]);
});
