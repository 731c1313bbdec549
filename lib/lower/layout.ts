/**
 * The names of the states the compiler adds, and the lowering's defaults.
 * Node ids are state names (stable for execution histories and mocks);
 * added states carry a ':' that OSOP ids do not use. The data layout is in
 * `lib/data-layout.ts`.
 */
import { MAX_STATE_NAME_CHARS } from '../contract/aws-quotas';

export { counterKey, counterPath, counterValuePath, errorPath, outputsPath } from '../data-layout';

export const INIT_STATE = 'osop:init';
/** Checks the required inputs (only in workflows that declare some). */
export const INPUTS_STATE = 'osop:inputs';
export const DONE_STATE = 'osop:done';

export const routeState = (node: string) => `${node}:route`;
/** Counter states of a failure edge (fallback, error, timeout) that goes back. */
const failureStem = (node: string, mode: string, to: string) => (mode === 'fallback' ? `${node}:fallback` : `${node}:${mode}-${to}`);
export const fallbackGuardState = (node: string, mode = 'fallback', to = '') => failureStem(node, mode, to);
export const fallbackCountState = (node: string, mode = 'fallback', to = '') => `${failureStem(node, mode, to)}-count`;
export const fallbackExhaustedState = (node: string, mode = 'fallback', to = '') => `${failureStem(node, mode, to)}-exhausted`;
export const onErrorState = (node: string) => `${node}:on-error`;
export const reraiseState = (node: string) => `${node}:error`;
export const rejectedState = (node: string) => `${node}:rejected`;
export const answerState = (node: string) => `${node}:answer`;
export const approvalGateState = (node: string) => `${node}:approval`;
/** Checks a node's optional inputs without a default were given, before the node runs. */
export const inputsCheckState = (node: string) => `${node}:inputs`;
export const parallelState = (node: string) => `${node}:parallel`;
export const forEachState = (node: string) => `${node}:for-each`;
export const regionEndState = (region: string) => `${region}:end`;
export const loopGuardState = (from: string, to: string) => `${from}:loop-${to}`;
export const loopCountState = (from: string, to: string) => `${from}:loop-${to}-count`;
export const loopExhaustedState = (from: string, to: string) => `${from}:loop-${to}-exhausted`;
export const loopWaitState = (from: string, to: string) => `${from}:loop-${to}-wait`;


/** ASL's limit on state names. */
export const MAX_STATE_NAME = MAX_STATE_NAME_CHARS;

/** Definition substitution keys for the handler functions (CDK's `definitionSubstitutions`). */
export const HANDLER_SUBSTITUTIONS = { rest: 'RestHandlerArn', agent: 'AgentHandlerArn', approval: 'ApprovalHandlerArn' } as const;
/** Substitution keys for a user handler and a sub-workflow's state machine: letters and digits only. */
export const customHandlerSubstitution = (node: string) => `Handler_${substitutionSafe(node)}`;
export const subWorkflowSubstitution = (workflowId: string) => `Workflow_${substitutionSafe(workflowId)}`;
const substitutionSafe = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => (c === '-' || c === '_' || c === '.' ? '_' : `x${c.charCodeAt(0).toString(16)}`));
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
export const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** Default bounds. */
export const DEFAULT_MAX_FALLBACKS = 3;
export const DEFAULT_MAX_LOOP_ITERATIONS = 10;
export const DEFAULT_REST_TIMEOUT_SECONDS = 30;
export const DEFAULT_AGENT_TIMEOUT_SECONDS = 120;
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 3600;
export const DEFAULT_MAX_CONCURRENCY = 10;
/** Extra time the Task state gives the Lambda beyond the handler's own deadline, so the handler reports first. */
export const TASK_TIMEOUT_MARGIN_SECONDS = 10;
