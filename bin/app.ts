#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): every workflow in
 * workflows/ becomes a state machine in one stack, checked by cdk-nag's
 * AwsSolutions pack on every synth. A workflow that cannot be deployed stops
 * synth with compiler-style messages, not a stack trace.
 *
 * Context: -c stackName=... (default OsopWorkflows), -c workflowsDir=... (default workflows/).
 */
import * as path from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OsopDeployError, OsopStack } from '../lib/cdk';

export function buildApp(props: AppProps = {}): { app: App; stack: OsopStack } {
  const app = new App(props);
  const dir = (app.node.tryGetContext('workflowsDir') as string | undefined) ?? path.join(path.relative(process.cwd(), path.resolve(__dirname, '..')), 'workflows');
  const stack = new OsopStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'OsopWorkflows', { workflowsDir: dir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (e) {
    if (!(e instanceof OsopDeployError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
