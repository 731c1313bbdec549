/**
 * `OsopStack`: every workflow in a folder, one state machine each, sharing
 * one set of handler functions. Outputs each state machine's ARN and console URL.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { hasWorkflowExtension } from '../load';
import { OsopDeployError } from './errors';
import { OsopWorkflow, type OsopWorkflowProps } from './workflow';

export interface OsopStackProps extends StackProps {
  /** The folder whose workflow files (.osop, .osop.yaml, .osop.yml, .osop.json) are deployed. */
  readonly workflowsDir: string;
  /** Settings for every workflow of the stack. */
  readonly workflowDefaults?: Omit<OsopWorkflowProps, 'file' | 'source' | 'stateMachineName' | 'handlers'>;
}

export class OsopStack extends Stack {
  readonly workflows: OsopWorkflow[] = [];

  constructor(scope: Construct, id: string, props: OsopStackProps) {
    const { workflowsDir, workflowDefaults, ...stackProps } = props;
    super(scope, id, { description: 'OSOP workflows as Step Functions state machines (osop-sfn)', ...stackProps });
    const files = workflowFiles(workflowsDir);
    // Every workflow is tried so that one synth reports all the broken ones.
    const failures: string[] = [];
    const seen = new Map<string, string>();
    const ids = new Map<string, string>();
    for (const file of files) {
      try {
        const id = constructIdFor(file);
        const clash = ids.get(id);
        if (clash) throw new OsopDeployError(`${file} - error: its construct id '${id}' is already used by ${clash}; rename one of the files.`);
        ids.set(id, file);
        const wf = new OsopWorkflow(this, id, { ...workflowDefaults, file });
        const other = seen.get(wf.plan.stateMachineName);
        if (other) throw new OsopDeployError(`${file} - error: its state machine name '${wf.plan.stateMachineName}' is already used by ${other}; workflow ids must be unique in a stack.`);
        seen.set(wf.plan.stateMachineName, file);
        this.workflows.push(wf);
        new CfnOutput(this, `${wf.node.id}Arn`, { description: `ARN of ${wf.plan.stateMachineName}`, value: wf.stateMachine.stateMachineArn });
        new CfnOutput(this, `${wf.node.id}ConsoleUrl`, { description: `Console page of ${wf.plan.stateMachineName}`, value: wf.consoleUrl });
      } catch (e) {
        if (!(e instanceof OsopDeployError)) throw e;
        failures.push(e.message);
      }
    }
    if (failures.length) throw new OsopDeployError(failures.join('\n\n'));
  }
}

function workflowFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    throw new OsopDeployError(`${dir} - error: cannot read the workflows folder.`);
  }
  const files = names.filter(hasWorkflowExtension).sort().map((n) => path.join(dir, n));
  if (!files.length) throw new OsopDeployError(`${dir} - error: no workflow files (.osop, .osop.yaml, .osop.yml, .osop.json) to deploy.`);
  return files;
}

/** `workflows/stripe-payment.osop.yaml` → `StripePayment`: stable logical ids that read well in the template. */
function constructIdFor(file: string): string {
  const base = path.basename(file).replace(/\.osop(\.ya?ml|\.json)?$/, '');
  return base.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('') || 'Workflow';
}
