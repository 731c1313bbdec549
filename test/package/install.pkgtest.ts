/**
 * The package as a team adopts it: `npm pack` of this repository, installed
 * into a fresh TypeScript CDK app (its own package.json, cdk.json and
 * tsconfig.json, as `cdk init` writes them), and there, offline:
 * `osop-sfn init`, `check`, `test`, `run --sandbox`, the compile API and
 * `osop-sfn/local` from code, the types under the app's own tsconfig, and
 * `cdk synth` of a stack that uses `OsopWorkflow` from `osop-sfn/cdk` with a
 * workflow file of its own.
 *
 *   npm run test:package
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-package-'));
const app = path.join(work, 'my-cdk-app');
const timings: Record<string, number> = {};

/** The version of a package this repository has installed: the app gets the same one (the npm cache has it). */
const versionOf = (name: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Nothing the commands run may reach AWS or the internet: no credentials, no version checks or notices. */
const OFFLINE_ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  AWS_REGION: 'us-east-1',
  CDK_DISABLE_VERSION_CHECK: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  NO_COLOR: '1',
  npm_config_update_notifier: 'false',
};

function run(label: string, command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: options.cwd ?? app, env: OFFLINE_ENV, encoding: 'utf8', timeout: options.timeoutMs ?? 5 * 60 * 1000, maxBuffer: 64 * 1024 * 1024 });
  timings[label] = Date.now() - started;
  if (r.error) throw r.error;
  return r;
}

/** Runs it and expects exit 0, showing its output when it fails. */
function ok(label: string, command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): string {
  const r = run(label, command, args, options);
  expect({ label, status: r.status, ...(r.status !== 0 && { stdout: r.stdout.slice(-4000), stderr: r.stderr.slice(-4000) }) }).toEqual({ label, status: 0 });
  return r.stdout;
}

let tarball = '';
let packedFiles: string[] = [];

afterAll(() => {
  process.stdout.write(`package test timings (ms): ${JSON.stringify(timings)}\n`);
  if (!process.env.OSOP_KEEP_PACKAGE_TEST) fs.rmSync(work, { recursive: true, force: true });
});

test('npm pack: the built library, types, handler bundles, schema and templates; no sources or tests', () => {
  const out = ok('npm pack', 'npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  tarball = path.join(work, info.filename);
  packedFiles = (info.files as { path: string }[]).map((f) => f.path);
  timings['tarball bytes'] = info.size;
  for (const f of [
    'bin/osop-sfn.js',
    'dist/cli.js',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
    'dist/lib/cdk/index.js',
    'dist/lib/cdk/index.d.ts',
    'dist/lib/local/index.d.ts',
    'dist/handlers/rest/index.js',
    'dist/handlers/agent/index.js',
    'dist/handlers/approval/index.js',
    'schema/osop-sfn.schema.json',
    'templates/init/osop-app.ts',
    'workflows/stripe-payment.osop.yaml',
  ]) {
    expect(packedFiles).toContain(f);
  }
  expect(packedFiles.filter((f) => /^(lib|lambdas|sandbox|test|bench|scripts)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('templates/')))).toEqual([]);
});

const npmInstall = (label: string, args: string[]) => ok(label, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], { timeoutMs: 10 * 60 * 1000 });

test('installed alone, it compiles without aws-cdk-lib; osop-sfn/cdk then says what it needs', () => {
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'my-cdk-app', version: '0.0.0', private: true }, null, 2)}\n`);
  npmInstall('npm install (package alone)', [tarball]);
  expect(fs.existsSync(path.join(app, 'node_modules', 'aws-cdk-lib'))).toBe(false); // optional peer dependencies: not installed for it
  const compiled = ok('compile without the CDK', 'node', ['-e', "const r = require('osop-sfn').compile('x.osop.yaml', { source: 'osop_version: \"1.0\"\\nid: x\\nname: x\\nnodes:\\n  - id: a\\n    type: api\\n    runtime: { method: GET, url: \"https://example.com/x\" }\\n' }); console.log(r.ok)"]);
  expect(compiled.trim()).toBe('true');
  const cdk = run('require osop-sfn/cdk without the CDK', 'node', ['-e', "try { require('osop-sfn/cdk') } catch (e) { console.error(e.message); process.exit(1) }"]);
  expect([cdk.status, cdk.stderr.trim()]).toEqual([1, 'osop-sfn/cdk needs aws-cdk-lib in your project (your CDK app\'s own copy): npm install aws-cdk-lib@2 constructs@10']);
});

test('installs into a fresh CDK app (aws-cdk-lib and constructs are the app\'s own: peer dependencies)', () => {
  npmInstall('npm install (CDK)', [`aws-cdk-lib@${versionOf('aws-cdk-lib')}`, `constructs@${versionOf('constructs')}`]);
  npmInstall('npm install (dev tools)', ['--save-dev', `aws-cdk@${versionOf('aws-cdk')}`, `tsx@${versionOf('tsx')}`, `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`]);
  // One copy of the CDK: the app's.
  expect(fs.existsSync(path.join(app, 'node_modules', 'osop-sfn', 'node_modules', 'aws-cdk-lib'))).toBe(false);
  expect(fs.existsSync(path.join(app, 'node_modules', 'aws-cdk-lib'))).toBe(true);
});

test('osop-sfn init scaffolds the app; check, test and run --sandbox work on its workflow', () => {
  const init = ok('osop-sfn init', 'npx', ['osop-sfn', 'init']);
  expect(init).toContain('workflows/payment.osop.yaml');
  ok('osop-sfn check', 'npx', ['osop-sfn', 'check', 'workflows/payment.osop.yaml']);
  const github = run('osop-sfn check --format github', 'npx', ['osop-sfn', 'check', '--format', 'github', 'workflows/payment.osop.yaml']);
  expect(github.status).toBe(0);
  expect(github.stdout).toMatch(/^::warning file=workflows\/payment\.osop\.yaml,line=\d+,col=\d+,title=OSOP\d{4} /);
  expect(ok('osop-sfn test', 'npx', ['osop-sfn', 'test', 'workflows/payment.osop.yaml'])).toMatch(/\d+ passed, 0 failed/);
  // The execution's output ($.outputs): the payment went through the Stripe stand-in, the receipt came from the Anthropic one.
  const outputs = JSON.parse(ok('osop-sfn run --sandbox', 'npx', ['osop-sfn', 'run', 'workflows/payment.osop.yaml', '--sandbox', '--fast', '--output', 'json']));
  expect(outputs.create_customer.customer_id).toMatch(/^cus_/);
  expect(outputs.check_status.status).toBe('succeeded');
  expect(outputs.send_receipt.text).toContain('receipt');
  // The schema the workflow's editor hint names is where npm put it.
  const hint = fs.readFileSync(path.join(app, 'workflows', 'payment.osop.yaml'), 'utf8').split('\n')[0];
  expect(JSON.parse(fs.readFileSync(path.resolve(app, 'workflows', hint.split('$schema=')[1]), 'utf8')).title).toBe('OSOP workflow (osop-sfn)');
  expect(ok('osop-sfn schema', 'npx', ['osop-sfn', 'schema'])).toBe(fs.readFileSync(path.join(app, 'node_modules', 'osop-sfn', 'schema', 'osop-sfn.schema.json'), 'utf8'));
});

const OWN_WORKFLOW = `osop_version: "1.0"
id: order-intake
name: Order intake
inputs:
  order_id: { type: string, required: true }
nodes:
  - id: fetch_order
    type: api
    runtime:
      method: GET
      url: "https://orders.example.com"
      endpoint: "/orders/\${inputs.order_id}"
    outputs: [status]
  - id: enrich
    type: system
    x-sfn: { handler: handlers/enrich.ts }
    outputs: [priority]
  - id: review
    type: human
    name: Review the order
edges:
  - from: fetch_order
    to: enrich
  - from: enrich
    to: review
`;

/** A custom handler in the app's own repository: bundled at synth by local esbuild (the one osop-sfn brings). */
const OWN_HANDLER = `export async function handler(): Promise<{ priority: string }> {
  return { priority: 'osop-package-test-marker' };
}
`;

const OWN_APP = `import { App, Stack } from 'aws-cdk-lib';
import { OsopWorkflow } from 'osop-sfn/cdk';

const app = new App();
const stack = new Stack(app, 'Orders');
new OsopWorkflow(stack, 'OrderIntake', { file: 'flows/order-intake.osop.yaml' });
app.synth();
`;

const FROM_CODE = `import { compile } from 'osop-sfn';
import { testWorkflow } from 'osop-sfn/local';

async function main(): Promise<void> {
  const compiled = compile('flows/order-intake.osop.yaml');
  const tests = await testWorkflow('workflows/payment.osop.yaml');
  console.log(JSON.stringify({ ok: compiled.ok, states: Object.keys(compiled.definition?.States ?? {}).length, tests: tests.ok, cases: tests.results.length }));
}
void main();
`;

test('the compile API and osop-sfn/local from code; the compile path loads no aws-cdk-lib; the types check under the app\'s tsconfig', () => {
  fs.mkdirSync(path.join(app, 'flows'));
  fs.writeFileSync(path.join(app, 'flows', 'order-intake.osop.yaml'), OWN_WORKFLOW);
  fs.mkdirSync(path.join(app, 'flows', 'handlers'));
  fs.writeFileSync(path.join(app, 'flows', 'handlers', 'enrich.ts'), OWN_HANDLER);
  fs.writeFileSync(path.join(app, 'bin', 'orders-app.ts'), OWN_APP);
  fs.writeFileSync(path.join(app, 'bin', 'from-code.ts'), FROM_CODE);
  const fromCode = JSON.parse(ok('compile and test from code', 'npx', ['tsx', 'bin/from-code.ts']));
  expect(fromCode).toMatchObject({ ok: true, tests: true });
  expect(fromCode.states).toBeGreaterThan(1);
  expect(fromCode.cases).toBeGreaterThan(0);
  const loaded = ok('require osop-sfn', 'node', ['-e', "require('osop-sfn'); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](aws-cdk-lib|constructs|@aws-sdk)[\\\\/]/.test(k))))"]);
  expect(JSON.parse(loaded)).toEqual([]);
  // `osop-sfn/cdk` and `osop-sfn/local` resolve for TypeScript's node10 resolution too (typesVersions), as cdk init's tsconfig uses it.
  ok('tsc (the app)', 'npx', ['tsc', '-p', 'tsconfig.json']);
});

function synth(label: string, appCommand: string, outdir: string): Record<string, { Type: string; Properties: Record<string, unknown> }> {
  ok(label, 'npx', ['cdk', 'synth', '-q', '--no-notices', '-a', appCommand, '-o', outdir]);
  const templates = fs.readdirSync(path.join(app, outdir)).filter((f) => f.endsWith('.template.json'));
  expect(templates).toHaveLength(1);
  return JSON.parse(fs.readFileSync(path.join(app, outdir, templates[0]), 'utf8')).Resources;
}

test('cdk synth: OsopWorkflow from osop-sfn/cdk with the app\'s own workflow; shared handlers from the package\'s bundles, the custom one bundled locally (no Docker)', () => {
  const resources = synth('cdk synth (OsopWorkflow)', 'npx tsx bin/orders-app.ts', 'cdk.out.orders');
  const types = Object.values(resources).map((r) => r.Type);
  expect(types.filter((t) => t === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  expect(functions.map((f) => f.Properties.Handler).sort()).toEqual(['index.handler', 'index.handler', 'index.handler']); // REST, approval, the custom handler
  const assetDir = path.join(app, 'cdk.out.orders');
  const bundles = fs
    .readdirSync(assetDir)
    .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assetDir, d, 'index.js')))
    .map((d) => fs.readFileSync(path.join(assetDir, d, 'index.js')));
  // The shared handlers' code is the bundle the package ships, byte for byte.
  for (const kind of ['rest', 'approval']) {
    const shipped = fs.readFileSync(path.join(app, 'node_modules', 'osop-sfn', 'dist', 'handlers', kind, 'index.js'));
    expect([kind, bundles.some((b) => b.equals(shipped))]).toEqual([kind, true]);
  }
  // The custom handler: the app's module inside osop-sfn's wrapper, bundled at synth.
  expect(bundles.filter((b) => b.toString('utf8').includes('osop-package-test-marker'))).toHaveLength(1);
});

test('cdk synth: the app osop-sfn init wrote (OsopStack over workflows/)', () => {
  const resources = synth('cdk synth (init app)', 'npx tsx bin/osop-app.ts', 'cdk.out.init');
  expect(Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
});
