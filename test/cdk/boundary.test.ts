/**
 * The compile path, the deployment plan and `npm start` stay free of
 * aws-cdk-lib: the CLI loads them on every command, and aws-cdk-lib takes
 * seconds to load. Outside lib/cdk, only the CLI's start command imports the
 * plan (lib/cdk/plan.ts), and nothing else of lib/cdk.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/paths';
import { filesUnder } from './helpers';

test('compiling, describing a deployment and the start command load no aws-cdk-lib or constructs module', () => {
  const script = `
    const { compile } = require('./lib');
    const { describeDeployment } = require('./lib/cdk/plan');
    require('./lib/cli/start');
    const r = compile('workflows/stripe-payment.osop.yaml');
    if (!r.ok || describeDeployment(r.report).length === 0) throw new Error('nothing compiled or described');
    const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(aws-cdk-lib|constructs)\\//.test(f));
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(JSON.parse(run.stdout)).toEqual([]);
});

test('outside lib/cdk, only lib/cli/start.ts and lib/cost (the memory a deployment gives each function) import from lib/cdk, and only the plan', () => {
  const libDir = path.join(ROOT, 'lib');
  const cdkDir = path.join(libDir, 'cdk');
  const relativeImport = /(?:from\s+|require\(|import\()['"](\.[^'"]*)['"]/g;
  const imports = filesUnder(libDir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith(cdkDir + path.sep))
    .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(relativeImport)].map((m) => ({ file: path.relative(ROOT, f), module: path.resolve(path.dirname(f), m[1]) })))
    .filter((i) => i.module === cdkDir || i.module.startsWith(cdkDir + path.sep))
    .map((i) => ({ ...i, module: path.relative(ROOT, i.module) }));
  expect(imports).toEqual([
    { file: path.join('lib', 'cli', 'start.ts'), module: path.join('lib', 'cdk', 'plan') },
    { file: path.join('lib', 'cost', 'estimate.ts'), module: path.join('lib', 'cdk', 'plan') },
  ]);
});
