/**
 * wait_n joins: every branch runs; failures are counted, not raised; the
 * join goes on when at least join_count branches succeeded, else fails with
 * OSOP.Join.NotEnoughBranches. Run on the local engine through the CLI.
 */
import * as path from 'node:path';
import { compile } from '../../lib';
import { cli, ensureBuilt } from '../cli/helpers';
import { validateAsl } from '../helpers/asl';
import { FIXTURES } from '../helpers/paths';

const WAIT_N = path.join(FIXTURES, 'graph', 'wait-n.osop.yaml');
beforeAll(() => ensureBuilt());

test('compiles to a Parallel whose branches catch their own failures, and a Choice on the count', () => {
  const r = compile(WAIT_N);
  expect(r.ok).toBe(true);
  const p = validateAsl(r.definition);
  expect([...p.aslValidator, ...p.statelint]).toEqual([]);
  expect(r.definition!.States['dispatch:join-count']).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.osop_succeeded', NumericGreaterThanEquals: 2 }] });
});

test('two of three branches succeed: the join goes on', async () => {
  const r = await cli(['run', WAIT_N, '--complete', 'a', '--complete', 'b=failed:no', '--complete', 'c']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/status: +SUCCEEDED/);
});

test('one of three: OSOP.Join.NotEnoughBranches', async () => {
  const r = await cli(['run', WAIT_N, '--complete', 'a=failed', '--complete', 'b=failed:no', '--complete', 'c']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/error: +OSOP\.Join\.NotEnoughBranches/);
});

test('join_count outside 1..branches is refused with the range', () => {
  const r = compile('x.osop.yaml', { source: require('node:fs').readFileSync(WAIT_N, 'utf8').replace('join_count: 2', 'join_count: 4') });
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([expect.stringContaining('needs join_count, a whole number from 1 to the 3 branches (it is 4)')]);
});
