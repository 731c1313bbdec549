/** The shared handlers are deployed from the bundles scripts/build.js writes to dist/handlers (shipped in the package). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANTHROPIC_FUNCTION, OPENAI_FUNCTION } from '../../lib/bindings/agent';
import { APPROVAL_FUNCTION } from '../../lib/bindings/approval';
import { MCP_FUNCTION } from '../../lib/bindings/mcp';
import { REST_FUNCTION } from '../../lib/bindings/rest';
import { OsopDeployError } from '../../lib/cdk/errors';
import { handlerBundleDir } from '../../lib/cdk/handlers';
import type { SharedFunctionSpec } from '../../lib/cdk/plan';
import { ROOT } from '../helpers/paths';
import './helpers'; // builds dist/ when it is stale

const SHARED = [REST_FUNCTION, ANTHROPIC_FUNCTION, OPENAI_FUNCTION, APPROVAL_FUNCTION, MCP_FUNCTION] as SharedFunctionSpec[];

test.each(SHARED.map((s) => [s.name, s]))('the %s handler has its bundle: one CommonJS file exporting handler', (_name, spec) => {
  const dir = handlerBundleDir(spec);
  expect(dir).toBe(path.join(ROOT, 'dist', 'handlers', path.basename(path.dirname(spec.entry))));
  const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
  const mod = { exports: {} as Record<string, unknown> };
  // Loaded as Lambda loads it (the AWS SDK is the runtime's: this process has it).
  new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
  expect(typeof mod.exports.handler).toBe('function');
});

test('the AWS SDK is left to the Lambda runtime, not bundled', () => {
  const approval = fs.readFileSync(path.join(handlerBundleDir(APPROVAL_FUNCTION as SharedFunctionSpec), 'index.js'), 'utf8');
  expect(approval).toMatch(/require\("@aws-sdk\/client-eventbridge"\)/);
  expect(approval.length).toBeLessThan(50_000);
});

test('a missing bundle is a deploy error that says how to build it, not a stack trace from CDK', () => {
  const spec = { ...REST_FUNCTION, label: 'nothing handler', entry: 'lambdas/nothing/index.ts' } as SharedFunctionSpec;
  expect(() => handlerBundleDir(spec)).toThrow(OsopDeployError);
  expect(() => handlerBundleDir(spec)).toThrow(`The nothing handler bundle is missing: ${path.join(ROOT, 'dist', 'handlers', 'nothing', 'index.js')} does not exist. In the osop-sfn repository run \`npm run build\`; an installed osop-sfn package ships it (reinstall it).`);
});
