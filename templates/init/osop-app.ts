#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): every workflow file in
 * workflows/ becomes a Step Functions state machine, with the handler
 * functions it needs, in one stack. A workflow that cannot be deployed stops
 * synth with compiler-style messages.
 */
import { App } from 'aws-cdk-lib';
import { OsopDeployError, OsopStack } from 'osop-sfn/cdk';

const app = new App();
try {
  new OsopStack(app, 'OsopWorkflows', { workflowsDir: 'workflows' });
  app.synth();
} catch (e) {
  if (!(e instanceof OsopDeployError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
