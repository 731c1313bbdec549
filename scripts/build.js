#!/usr/bin/env node
// Builds the command line into one file (dist/cli.js) so that `osop-sfn` starts fast:
// one module to load instead of hundreds. Heavy packages that only some commands
// need (the local engine, AWS SDK clients, the Anthropic SDK) stay external and are
// loaded lazily by those commands.
const esbuild = require('esbuild');
const path = require('path');

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

esbuild
  .build({
    entryPoints: [path.join(__dirname, '..', 'lib', 'cli', 'main.ts')],
    outfile: path.join(__dirname, '..', 'dist', 'cli.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external,
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
