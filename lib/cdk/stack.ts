/**
 * `OsopStack`: every workflow in a folder, one state machine each, sharing
 * one set of handler functions. A workflow that starts another (`workflow_ref`)
 * is built after it, with its state machine. Outputs each state machine's ARN
 * and console URL, each approvers policy, and the approval event bus.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { compile } from '../index';
import { hasWorkflowExtension } from '../load';
import type { CompileReport } from '../types';
import { OsopDeployError } from './errors';
import { OsopHandlers } from './handlers';
import { OsopWorkflow, type OsopWorkflowProps } from './workflow';

export interface OsopStackProps extends StackProps {
  /** The folder whose workflow files (.osop, .osop.yaml, .osop.yml, .osop.json) are deployed. */
  readonly workflowsDir: string;
  /** Settings for every workflow of the stack (not its names: each workflow's are its own). */
  readonly workflowDefaults?: Omit<OsopWorkflowProps, 'file' | 'source' | 'stateMachineName' | 'logGroupName' | 'handlers' | 'subWorkflows'>;
  /** The name of the event bus the stack creates for approval requests. @default `<stack name>-osop-approvals` */
  readonly approvalEventBusName?: string;
}

export class OsopStack extends Stack {
  /** The workflows, each after the workflows it starts. */
  readonly workflows: OsopWorkflow[] = [];

  constructor(scope: Construct, id: string, props: OsopStackProps) {
    const { workflowsDir, workflowDefaults, approvalEventBusName, ...stackProps } = props;
    super(scope, id, { description: 'OSOP workflows as Step Functions state machines (osop-sfn)', ...stackProps });
    // The workflows find the shared handlers (OsopHandlers.of): made first, they have the bus name.
    if (approvalEventBusName !== undefined) OsopHandlers.of(this, { secretPrefix: workflowDefaults?.secretPrefix, approvalEventBusName });
    const files = workflowFiles(workflowsDir);
    const reports = new Map(files.map((f) => [f, compile(f).report]));
    // Every workflow is tried so that one synth reports all the broken ones.
    const failures: string[] = [];
    const seen = new Map<string, string>();
    const ids = new Map<string, string>();
    const deployed = new Map<string, OsopWorkflow>();
    const failed = new Map<string, string>();
    for (const file of childrenFirst(files, reports)) {
      try {
        const id = constructIdFor(file);
        const clash = ids.get(id);
        if (clash) throw new OsopDeployError(`${file} - error: its construct id '${id}' is already used by ${clash}; rename one of the files.`);
        ids.set(id, file);
        const subWorkflows: Record<string, OsopWorkflow> = {};
        for (const s of reports.get(file)?.subWorkflows ?? []) {
          const child = deployed.get(s.workflowId);
          if (child) subWorkflows[s.workflowId] = child;
          else if (failed.has(s.workflowId)) throw new OsopDeployError(`${file} - error: node '${s.node}' starts workflow '${s.workflowId}' (${failed.get(s.workflowId)}), which cannot be deployed (see its errors).`);
        }
        const wf = new OsopWorkflow(this, id, { ...workflowDefaults, file, subWorkflows });
        const other = seen.get(wf.plan.stateMachineName);
        if (other) throw new OsopDeployError(`${file} - error: its state machine name '${wf.plan.stateMachineName}' is already used by ${other}; workflow ids must be unique in a stack.`);
        seen.set(wf.plan.stateMachineName, file);
        deployed.set(wf.report.workflowId, wf);
        this.workflows.push(wf);
        new CfnOutput(this, `${wf.node.id}Arn`, { description: `ARN of ${wf.plan.stateMachineName}`, value: wf.stateMachine.stateMachineArn });
        new CfnOutput(this, `${wf.node.id}ConsoleUrl`, { description: `Console page of ${wf.plan.stateMachineName}`, value: wf.consoleUrl });
        if (wf.approversPolicy) {
          new CfnOutput(this, `${wf.node.id}ApproversPolicyArn`, { description: `Managed policy to attach to whoever answers the approvals of ${wf.plan.stateMachineName}`, value: wf.approversPolicy.managedPolicyArn });
        }
      } catch (e) {
        if (!(e instanceof OsopDeployError)) throw e;
        failures.push(e.message);
        const workflowId = reports.get(file)?.workflowId;
        if (workflowId && !deployed.has(workflowId)) failed.set(workflowId, file);
      }
    }
    if (failures.length) throw new OsopDeployError(failures.join('\n\n'));
    const handlers = this.node.tryFindChild('OsopHandlers');
    const bus = handlers instanceof OsopHandlers ? handlers.approvalEventBus : undefined;
    if (bus) new CfnOutput(this, 'ApprovalEventBusName', { description: 'The event bus approval requests go to: subscribe with a rule on it', value: bus.eventBusName });
  }
}

/** The files, each after the files of the workflows it starts (the compiler refuses cycles between workflows). */
function childrenFirst(files: string[], reports: Map<string, CompileReport | undefined>): string[] {
  const fileOf = new Map<string, string>();
  for (const f of files) {
    const id = reports.get(f)?.workflowId;
    if (id && !fileOf.has(id)) fileOf.set(id, f);
  }
  const ordered: string[] = [];
  const visited = new Set<string>();
  const visit = (file: string) => {
    if (visited.has(file)) return;
    visited.add(file);
    for (const s of reports.get(file)?.subWorkflows ?? []) {
      const child = fileOf.get(s.workflowId);
      if (child) visit(child);
    }
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
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
