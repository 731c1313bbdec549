/** Deploying OSOP workflows with AWS CDK. Loads aws-cdk-lib: the compile path must not import this. */
import './peers'; // first: a clear message when the app has no aws-cdk-lib or constructs
export { OsopDeployError } from './errors';
export { OsopHandlers, type OsopHandlersProps } from './handlers';
export { OsopWorkflow, type OsopWorkflowProps, type SubWorkflow } from './workflow';
export { OsopStack, type OsopStackProps } from './stack';
export { describeDeployment, planDeployment, type DeploymentPlan, type PlanOptions, type WorkflowType } from './plan';
