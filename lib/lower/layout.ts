/**
 * The one data layout of every generated state machine, and the names of the
 * states the compiler adds. Node ids are state names (stable for execution
 * histories and mocks); added states carry a ':' that OSOP ids do not use.
 *
 *   $.input              the execution's input
 *   $.outputs.<node>     the declared outputs of each node that has run
 *   $.errors.<node>      the error a fallback edge caught ({Error, Cause})
 *   $.counters.<key>     {count} of each bounded back-edge (fallback or loop rounds)
 */
import { jsonPathOf } from '../expressions';

export const INIT_STATE = 'osop:init';
export const DONE_STATE = 'osop:done';

export const routeState = (node: string) => `${node}:route`;
export const fallbackGuardState = (node: string) => `${node}:fallback`;
export const fallbackCountState = (node: string) => `${node}:fallback-count`;
export const fallbackExhaustedState = (node: string) => `${node}:fallback-exhausted`;
export const loopGuardState = (from: string, to: string) => `${from}:loop-${to}`;
export const loopCountState = (from: string, to: string) => `${from}:loop-${to}-count`;
export const loopExhaustedState = (from: string, to: string) => `${from}:loop-${to}-exhausted`;

export const outputsPath = (node: string) => jsonPathOf(['outputs', node]);
export const errorPath = (node: string) => jsonPathOf(['errors', node]);
export const counterKey = (kind: 'fallback' | 'loop', from: string, to: string) => (kind === 'fallback' ? `fallback_${from}` : `loop_${from}_${to}`);
export const counterPath = (key: string) => jsonPathOf(['counters', key]);
export const counterValuePath = (key: string) => jsonPathOf(['counters', key, 'count']);

/** ASL's limit on state names. */
export const MAX_STATE_NAME = 80;

/** Definition substitution keys for the handler functions (CDK's `definitionSubstitutions`). */
export const HANDLER_SUBSTITUTIONS = { rest: 'RestHandlerArn', agent: 'AgentHandlerArn' } as const;
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

/** Default bounds. */
export const DEFAULT_MAX_FALLBACKS = 3;
export const DEFAULT_MAX_LOOP_ITERATIONS = 10;
export const DEFAULT_REST_TIMEOUT_SECONDS = 30;
export const DEFAULT_AGENT_TIMEOUT_SECONDS = 120;
/** Extra time the Task state gives the Lambda beyond the handler's own deadline, so the handler reports first. */
export const TASK_TIMEOUT_MARGIN_SECONDS = 10;
