/** `osop-sfn init`. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { compile } from '../../lib';
import { SCHEMA_HINT } from '../../lib/cli/init';
import { cli, ensureBuilt } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-init-'));
beforeAll(() => ensureBuilt());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SCAFFOLD = ['.github/workflows/osop-sfn.yml', 'bin/osop-app.ts', 'cdk.json', 'tsconfig.json', 'workflows/README.md', 'workflows/payment.osop.yaml'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test('writes an example workflow with the editor hint, a CDK app, a CI workflow and how to run them', async () => {
  const dir = path.join(tmp, 'new-project');
  const r = await cli(['init', dir]);
  expect(r.code).toBe(0);
  expect(filesUnder(dir)).toEqual(SCAFFOLD);
  const workflow = path.join(dir, 'workflows', 'payment.osop.yaml');
  const text = fs.readFileSync(workflow, 'utf8');
  expect(text.split('\n')[0]).toBe(SCHEMA_HINT);
  // The hint names the schema where npm installs it, relative to the workflow file.
  expect(path.resolve(path.dirname(workflow), SCHEMA_HINT.split('$schema=')[1])).toBe(path.join(dir, 'node_modules', 'osop-sfn', 'schema', 'osop-sfn.schema.json'));
  const compiled = compile(workflow);
  expect(compiled.ok).toBe(true);
  expect(compiled.report?.workflowId).toBe('sop-stripe-payment');
  expect(fs.readFileSync(path.join(dir, 'bin', 'osop-app.ts'), 'utf8')).toContain("from 'osop-sfn/cdk'");
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf8')).app).toBe('npx tsx bin/osop-app.ts');
  const ci = YAML.parse(fs.readFileSync(path.join(dir, '.github', 'workflows', 'osop-sfn.yml'), 'utf8'));
  expect(ci.jobs.workflows.steps.map((s: { run?: string }) => s.run).filter(Boolean)).toEqual([
    'npm ci',
    'npx osop-sfn check --format github workflows/*.osop.yaml',
    `for f in $(grep -l '^tests:' workflows/*.osop.yaml); do npx osop-sfn test "$f" || exit 1; done`,
    'npx cdk synth -q',
  ]);
  expect(r.stdout).toContain('npx osop-sfn run workflows/payment.osop.yaml --sandbox --fast');
});

test('refuses to overwrite: when any of its files exists it writes nothing and names it', async () => {
  const dir = path.join(tmp, 'existing-app');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'cdk.json'), '{"app":"mine"}');
  const r = await cli(['init', dir]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`osop-sfn: init writes nothing, because this file exists in ${dir}: cdk.json.`);
  expect(filesUnder(dir)).toEqual(['cdk.json']);
  expect(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf8')).toBe('{"app":"mine"}');
});

test('a file where the folder should be is a usage error', async () => {
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, '');
  const r = await cli(['init', file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`osop-sfn: ${file} is not a folder.\n`);
});
