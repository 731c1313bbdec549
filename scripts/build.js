#!/usr/bin/env node
// Builds what runs from dist/:
// - the command line as one file (dist/cli.js), so that `osop-sfn` starts fast:
//   one module to load instead of hundreds. Heavy packages that only some
//   commands need (the local engine, AWS SDK clients, the Anthropic SDK) stay
//   external and are loaded lazily by those commands;
// - each Lambda handler pre-bundled (dist/handlers/<name>/index.js), as the
//   deployment uploads it: the CDK construct deploys these folders, so a
//   project that installs osop-sfn needs neither esbuild nor Docker nor a lock
//   file in a particular place to synthesize.
// The library's JavaScript and type declarations (dist/lib, for the package's
// `exports`) are emitted by `tsc -p tsconfig.build.json` (`npm run build`).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');

const external = [
  'aws-local-stepfunctions',
  '@aws-sdk/*',
  'aws-cdk-lib',
  'aws-cdk-lib/*',
  'constructs',
  '@anthropic-ai/sdk',
  '@copilotkit/aimock',
  'esbuild',
];

const cli = {
  entryPoints: [path.join(ROOT, 'lib', 'cli', 'main.ts')],
  outfile: path.join(ROOT, 'dist', 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
};

/** Every folder of lambdas/ whose index.ts exports `handler` is a shared handler (shared/ holds what they share). */
const handlerNames = fs
  .readdirSync(path.join(ROOT, 'lambdas'), { withFileTypes: true })
  .filter((e) => {
    const index = path.join(ROOT, 'lambdas', e.name, 'index.ts');
    return e.isDirectory() && fs.existsSync(index) && /^export (async function|const|function) handler\b/m.test(fs.readFileSync(index, 'utf8'));
  })
  .map((e) => e.name);

/** As Lambda runs them: Node.js 22, minified CommonJS, the AWS SDK v3 left to the Lambda runtime. */
const handler = (name) => ({
  entryPoints: [path.join(ROOT, 'lambdas', name, 'index.ts')],
  outfile: path.join(ROOT, 'dist', 'handlers', name, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  external: ['@aws-sdk/*'],
  logLevel: 'warning',
});

Promise.all([esbuild.build(cli), ...handlerNames.map((name) => esbuild.build(handler(name)))]).catch(() => process.exit(1));
