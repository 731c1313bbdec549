/**
 * The hand-written peer of `workflows/stripe-payment.osop.yaml`: the same
 * flow written the idiomatic way with CDK's own `aws-stepfunctions` and
 * `aws-stepfunctions-tasks` constructs, as a careful user would write it
 * without osop-sfn, calling the same two handler Lambdas (`lambdas/rest`,
 * `lambdas/agent`) with the same payload contract:
 *
 *   init (Pass: the fallback counter) → create_customer → create_intent → confirm_payment
 *   → check_status → route_status (Choice: status == 'succeeded') → send_receipt | done
 *   confirm_payment --Catch States.ALL--> fallback_bound (Choice: count < 3)
 *     → fallback_count (Pass: count + 1) → create_intent, else fallback_exhausted (Fail)
 *
 * "Careful" means: results are trimmed with ResultSelector (never a whole
 * Lambda response in the state), the payloads carry only the fields the
 * handlers need for the same behaviour (their optional fields are left to the
 * handlers' defaults), every Task has a timeout and retries the handlers'
 * transient errors as the compiled machine does, LambdaInvoke keeps CDK's
 * default retry on Lambda service errors, the fallback round goes into the
 * idempotency key (`attempt`) so a new round makes a new payment intent, and
 * the counter bounds the fallback loop to 3 rounds. No Comments.
 *
 * `baselineDefinition()` renders the ASL offline (`StateGraph.toGraphJson`
 * through `stack.resolve`), with the function ARNs written as the same
 * definition substitutions the compiler emits (`${RestHandlerArn}`,
 * `${AgentHandlerArn}`) so that definition sizes compare like for like.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

const REST_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:osop-rest-handler';
const AGENT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:osop-agent-handler';
/** The state names of the baseline's Tasks are the node ids, as in the compiled machine, so that stubs and names compare. */
export const BASELINE_TASKS = ['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt'] as const;
export const BASELINE_HANDLER_OF: Record<(typeof BASELINE_TASKS)[number], 'rest' | 'agent'> = {
  create_customer: 'rest',
  create_intent: 'rest',
  confirm_payment: 'rest',
  check_status: 'rest',
  send_receipt: 'agent',
};

const STRIPE = 'https://api.stripe.com';
const AUTH = { Authorization: 'Bearer ${secrets.STRIPE_SECRET_KEY}' };
const SECRET_FIELDS = { '/request/headers/Authorization': ['STRIPE_SECRET_KEY'] };
const FORM = 'application/x-www-form-urlencoded';
/** The round of the fallback loop, part of the handler's idempotency key. */
const ROUND = sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.fallback.count'));

function restTask(scope: Stack, fn: lambda.IFunction, id: string, payload: Record<string, unknown>, resultSelector?: Record<string, string>): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({
      kind: 'rest',
      nodeId: id,
      executionId: sfn.JsonPath.executionId,
      secretFields: SECRET_FIELDS,
      allowedOrigin: STRIPE,
      timeoutMs: 30000,
      ...payload,
    }),
    ...(resultSelector ? { resultSelector, resultPath: `$.${id}` } : { resultPath: sfn.JsonPath.DISCARD }),
    taskTimeout: sfn.Timeout.duration(Duration.seconds(40)),
  });
  task.addRetry({ errors: ['OSOP.Http.Transient', 'States.Timeout'], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 2, maxDelay: Duration.seconds(10), jitterStrategy: sfn.JitterType.FULL });
  return task;
}

/** Builds the baseline state machine's start state in `stack`. */
export function buildBaseline(stack: Stack): sfn.IChainable & { startState: sfn.State } {
  const rest = lambda.Function.fromFunctionArn(stack, 'RestHandler', REST_ARN);
  const agent = lambda.Function.fromFunctionArn(stack, 'AgentHandler', AGENT_ARN);

  const init = new sfn.Pass(stack, 'init', { result: sfn.Result.fromObject({ count: 0 }), resultPath: '$.fallback' });

  const createCustomer = restTask(
    stack,
    rest,
    'create_customer',
    { attempt: '0', request: { method: 'POST', url: `${STRIPE}/v1/customers`, headers: AUTH, body: { email: 'user@example.com', name: 'John Doe' }, contentType: FORM }, outputs: [{ name: 'customer_id', path: '$.id', required: true }] },
    { customer_id: sfn.JsonPath.stringAt('$.Payload.customer_id') },
  );
  const createIntent = restTask(
    stack,
    rest,
    'create_intent',
    {
      attempt: ROUND,
      request: { method: 'POST', url: `${STRIPE}/v1/payment_intents`, headers: AUTH, body: { amount: 2000, currency: 'usd', customer: sfn.JsonPath.stringAt('$.create_customer.customer_id') }, contentType: FORM },
      outputs: [
        { name: 'intent_id', path: '$.id', required: true },
        { name: 'client_secret', path: '$.client_secret', required: true },
      ],
    },
    { intent_id: sfn.JsonPath.stringAt('$.Payload.intent_id'), client_secret: sfn.JsonPath.stringAt('$.Payload.client_secret') },
  );
  const confirmPayment = restTask(stack, rest, 'confirm_payment', {
    attempt: ROUND,
    request: { method: 'POST', url: sfn.JsonPath.format(`${STRIPE}/v1/payment_intents/{}/confirm`, sfn.JsonPath.stringAt('$.create_intent.intent_id')), headers: AUTH, body: { payment_method: 'pm_card_visa' }, contentType: FORM },
    // No outputs wanted: an empty list makes the handler return {} rather than the whole response.
    outputs: [],
  });
  const checkStatus = restTask(
    stack,
    rest,
    'check_status',
    { attempt: '0', request: { method: 'GET', url: sfn.JsonPath.format(`${STRIPE}/v1/payment_intents/{}`, sfn.JsonPath.stringAt('$.create_intent.intent_id')), headers: AUTH, contentType: FORM }, outputs: [{ name: 'status', path: '$.status', required: true }] },
    { status: sfn.JsonPath.stringAt('$.Payload.status') },
  );
  const sendReceipt = new tasks.LambdaInvoke(stack, 'send_receipt', {
    lambdaFunction: agent,
    payload: sfn.TaskInput.fromObject({
      kind: 'agent',
      nodeId: 'send_receipt',
      executionId: sfn.JsonPath.executionId,
      attempt: '0',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      systemPrompt: 'Generate a payment receipt email. Be concise and professional.',
      instruction: 'AI generates a personalized receipt email based on payment details',
      maxTokens: 1024,
      // The earlier nodes' outputs, as the compiled machine gives them (not the counter or caught errors).
      context: {
        create_customer: sfn.JsonPath.objectAt('$.create_customer'),
        create_intent: sfn.JsonPath.objectAt('$.create_intent'),
        check_status: sfn.JsonPath.objectAt('$.check_status'),
      },
      timeoutMs: 120000,
    }),
    resultSelector: {
      text: sfn.JsonPath.stringAt('$.Payload.text'),
      model: sfn.JsonPath.stringAt('$.Payload.model'),
      stop_reason: sfn.JsonPath.stringAt('$.Payload.stop_reason'),
      usage: sfn.JsonPath.objectAt('$.Payload.usage'),
    },
    resultPath: '$.send_receipt',
    taskTimeout: sfn.Timeout.duration(Duration.seconds(130)),
  });
  sendReceipt.addRetry({ errors: ['OSOP.Llm.Transient', 'States.Timeout'], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 2, maxDelay: Duration.seconds(10), jitterStrategy: sfn.JitterType.FULL });

  const exhausted = new sfn.Fail(stack, 'fallback_exhausted', { error: 'OSOP.FallbackExhausted', causePath: '$.confirm_payment_error.Cause' });
  const count = new sfn.Pass(stack, 'fallback_count', {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.fallback.count'), 1) },
    resultPath: '$.fallback',
  });
  const bound = new sfn.Choice(stack, 'fallback_bound').when(sfn.Condition.numberLessThan('$.fallback.count', 3), count.next(createIntent)).otherwise(exhausted);
  confirmPayment.addCatch(bound, { errors: ['States.ALL'], resultPath: '$.confirm_payment_error' });

  const route = new sfn.Choice(stack, 'route_status').when(sfn.Condition.stringEquals('$.check_status.status', 'succeeded'), sendReceipt).otherwise(new sfn.Succeed(stack, 'done'));

  const chain = init.next(createCustomer).next(createIntent).next(confirmPayment).next(checkStatus).next(route);
  return Object.assign(chain, { startState: init });
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `{Fn::Join: ['', ['arn:', {Ref: 'AWS::Partition'}, ':states:::lambda:invoke']]}` → the plain string (partition `aws`). */
function plain(v: unknown): Json {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => (typeof p === 'string' ? p : (p as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : JSON.stringify(p))).join(sep);
    }
    if ('Ref' in o && o.Ref === 'AWS::Partition') return 'aws';
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
  }
  if (typeof v === 'string') return v.replace(REST_ARN, '${RestHandlerArn}').replace(AGENT_ARN, '${AgentHandlerArn}');
  return v as Json;
}

/** The baseline's ASL definition as plain JSON (rendered offline; nothing is synthesized or deployed). */
export function baselineDefinition(): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const app = new App();
  const stack = new Stack(app, 'Baseline', { env: { account: '123456789012', region: 'us-east-1' } });
  const chain = buildBaseline(stack);
  const graph = new sfn.StateGraph(chain.startState, 'stripe-payment (hand-written)');
  const def = plain(stack.resolve(graph.toGraphJson())) as { StartAt: string; States: Record<string, Record<string, unknown>> };
  if (JSON.stringify(def).includes('Fn::') || JSON.stringify(def).includes('${Token')) throw new Error('the baseline definition still contains CloudFormation tokens');
  return def;
}
