/**
 * Every corpus file that compiles: each path `osop-sfn cost` counts on the
 * definition enters as many states (retries included) and ends as a local
 * run of the same path. The corpus has the shapes the fixtures lack
 * (CodeBuild outputs, SQL rows, service integrations, approvals with extra fields).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile } from '../../lib';
import { costPaths } from '../../lib/cost';
import { verifyPaths } from '../../lib/cost/verify';
import { testScenarios } from '../../lib/cli/cost';
import { CORPUS } from '../helpers/paths';

function corpusFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) corpusFiles(p, out);
    else if (/\.osop(\.ya?ml|\.json)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

test('cost paths of every compiling corpus file agree with local runs', async () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of corpusFiles(CORPUS)) {
    const r = compile(file);
    if (!r.ok || !r.definition || !r.report) continue;
    checked++;
    try {
      const skipped: { id: string; reason: string }[] = [];
      const v = await verifyPaths(r.definition, r.report, costPaths(r.definition, testScenarios(file), skipped));
      for (const sk of skipped) problems.push(`${path.relative(CORPUS, file)} test ${sk.id} not costed: ${sk.reason}`);
      for (const x of v.filter((y) => !y.agrees)) problems.push(`${path.relative(CORPUS, file)} ${x.id}: counted ${x.counted} ${x.countedStatus}, ran ${x.ran} ${x.ranStatus} ${x.problem ?? ''}`);
    } catch (e) {
      problems.push(`${path.relative(CORPUS, file)}: ${(e as Error).message}`);
    }
  }
  expect(problems).toEqual([]);
  if (fs.existsSync(CORPUS)) expect(checked).toBeGreaterThan(40);
}, 180_000);
