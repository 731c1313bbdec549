/**
 * `osop-sfn/cdk` builds on the CDK app's own `aws-cdk-lib` and `constructs`
 * (peer dependencies: one copy of the CDK in the app). Checked before anything
 * loads them, so that a project without them gets a clear message, not a
 * module-resolution stack trace.
 */
for (const name of ['aws-cdk-lib', 'constructs']) {
  try {
    require.resolve(name);
  } catch {
    throw new Error(`osop-sfn/cdk needs ${name} in your project (your CDK app's own copy): npm install aws-cdk-lib@2 constructs@10`);
  }
}

export {};
