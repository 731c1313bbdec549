/**
 * The idiomatic peer of `workflows/stripe-payment.osop.yaml`: the flow as a
 * CDK user writes it from the Step Functions and CDK docs, without
 * osop-sfn's payload contract:
 *
 *   create_customer → create_intent → confirm_payment → check_status
 *   → route_status (Choice: status == 'succeeded') → send_receipt | done
 *   confirm_payment --addCatch States.ALL--> create_intent   (no counter: unbounded)
 *
 * One small Lambda function per endpoint (`NodejsFunction` defaults: 128 MB),
 * each `LambdaInvoke` passing the state's data and keeping what it needs
 * with `resultSelector`/`resultPath`; CDK's default retry on Lambda service
 * errors; no timeouts, no retry of the API's transient errors, no
 * idempotency key, and the fallback loop has no bound, as such examples have.
 * (`HttpInvoke` instead of a function per endpoint gives the same states
 * and transitions, with an EventBridge connection instead of a function.)
 *
 * The functions answer with the same field names as the handlers of the
 * compiled machine, so the bench runs all machines with the same stubs.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

/** The memory of each function: the CDK default for `lambda.Function`/`NodejsFunction`. */
export const IDIOMATIC_MEMORY_MIB = 128;
export const IDIOMATIC_FUNCTIONS = ['create_customer', 'create_intent', 'confirm_payment', 'check_status', 'send_receipt'] as const;

const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name.replace(/_/g, '-')}`;

export function buildIdiomatic(stack: Stack): sfn.IChainable & { startState: sfn.State } {
  const fn = (name: string) => lambda.Function.fromFunctionArn(stack, `${name}-fn`, arn(name));
  const invoke = (name: string, resultSelector?: Record<string, string>) =>
    new tasks.LambdaInvoke(stack, name, {
      lambdaFunction: fn(name),
      ...(resultSelector ? { resultSelector, resultPath: `$.${name}` } : { resultPath: sfn.JsonPath.DISCARD }),
    });
  const createCustomer = invoke('create_customer', { customer_id: sfn.JsonPath.stringAt('$.Payload.customer_id') });
  const createIntent = invoke('create_intent', { intent_id: sfn.JsonPath.stringAt('$.Payload.intent_id'), client_secret: sfn.JsonPath.stringAt('$.Payload.client_secret') });
  const confirmPayment = invoke('confirm_payment');
  const checkStatus = invoke('check_status', { status: sfn.JsonPath.stringAt('$.Payload.status') });
  const sendReceipt = invoke('send_receipt', { text: sfn.JsonPath.stringAt('$.Payload.text') });
  confirmPayment.addCatch(createIntent, { errors: ['States.ALL'], resultPath: '$.confirm_payment_error' });
  const route = new sfn.Choice(stack, 'route_status').when(sfn.Condition.stringEquals('$.check_status.status', 'succeeded'), sendReceipt).otherwise(new sfn.Succeed(stack, 'done'));
  const chain = createCustomer.next(createIntent).next(confirmPayment).next(checkStatus).next(route);
  return Object.assign(chain, { startState: createCustomer });
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

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
  return v as Json;
}

/** The idiomatic peer's ASL as plain JSON (rendered offline; the function ARNs as written, one per endpoint). */
export function idiomaticDefinition(): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  const app = new App();
  const stack = new Stack(app, 'Idiomatic', { env: { account: '123456789012', region: 'us-east-1' } });
  const chain = buildIdiomatic(stack);
  const graph = new sfn.StateGraph(chain.startState, 'stripe-payment (idiomatic CDK)');
  const def = plain(stack.resolve(graph.toGraphJson())) as { StartAt: string; States: Record<string, Record<string, unknown>> };
  if (JSON.stringify(def).includes('Fn::') || JSON.stringify(def).includes('${Token')) throw new Error('the idiomatic definition still contains CloudFormation tokens');
  return def;
}
