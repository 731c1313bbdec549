/**
 * The compile path and the deployment plan stay free of aws-cdk-lib: the CLI
 * loads them on every command, and aws-cdk-lib takes seconds to load.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/paths';
import { filesUnder } from './helpers';

test('compiling and describing a deployment load no aws-cdk-lib or constructs module', () => {
  const script = `
    const { compile } = require('./lib');
    const { describeDeployment } = require('./lib/cdk/plan');
    const r = compile('workflows/stripe-payment.osop.yaml');
    if (!r.ok || describeDeployment(r.report, { definition: r.definition }).length === 0) throw new Error('nothing compiled or described');
    const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(aws-cdk-lib|constructs)\\//.test(f));
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});

test('nothing in lib/ outside lib/cdk imports lib/cdk', () => {
  const libDir = path.join(ROOT, 'lib');
  const offenders = filesUnder(libDir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith(path.join(libDir, 'cdk') + path.sep))
    .filter((f) => /from\s+['"][./]*\/?cdk(\/[^'"]*)?['"]|require\(['"][./]*\/?cdk(\/[^'"]*)?['"]\)/.test(fs.readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
});
