/**
 * A workflow or a prop that cannot be deployed. Its message is written for the
 * person running `cdk synth` (file, what is wrong, what to do), so `bin/app.ts`
 * prints it alone, without a stack trace.
 */
export class OsopDeployError extends Error {
  override readonly name = 'OsopDeployError';
}
