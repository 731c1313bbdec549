#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): every workflow in
 * workflows/ becomes a state machine in one stack, checked by cdk-nag's
 * AwsSolutions pack on every synth. A workflow that cannot be deployed stops
 * synth with compiler-style messages, not a stack trace.
 *
 * Context: -c stackName=... (default OsopWorkflows; the state machine, log group and approval bus names
 * start with it, so a second stack does not collide), -c workflowsDir=... (default workflows/),
 * -c approvalEventBusName=... (default <stack name>-osop-approvals).
 */
import * as path from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { OsopDeployError, OsopStack } from '../lib/cdk';
import { DEPLOY_DEFAULTS } from '../lib/cdk/plan';

export function buildApp(props: AppProps = {}): { app: App; stack: OsopStack } {
  const app = new App(props);
  const dir = (app.node.tryGetContext('workflowsDir') as string | undefined) ?? path.join(path.relative(process.cwd(), path.resolve(__dirname, '..')), 'workflows');
  const stack = new OsopStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? DEPLOY_DEFAULTS.stackName, {
    workflowsDir: dir,
    approvalEventBusName: app.node.tryGetContext('approvalEventBusName') as string | undefined,
  });
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
