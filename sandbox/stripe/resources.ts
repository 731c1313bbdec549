/**
 * The Stripe API subset that payment workflows use, as pure functions over an
 * in-memory state: customers and payment intents, with the test payment
 * methods' documented outcomes. HTTP, auth and idempotency live in server.ts.
 */
import type { FormValue } from './form';
import { stripeId } from './ids';

export interface Customer {
  id: string;
  object: 'customer';
  created: number;
  email: string | null;
  name: string | null;
  description: string | null;
  phone: string | null;
  metadata: Record<string, string>;
  livemode: false;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface PaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
  payment_method: { id: string; object: 'payment_method'; type: 'card' };
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  status: PaymentIntentStatus;
  client_secret: string;
  confirmation_method: 'automatic';
  capture_method: 'automatic';
  created: number;
  last_payment_error: PaymentError | null;
  latest_charge: string | null;
  next_action: { type: 'use_stripe_sdk'; use_stripe_sdk: { type: string } } | null;
  livemode: false;
}

export interface StripeState {
  customers: Map<string, Customer>;
  paymentIntents: Map<string, PaymentIntent>;
}

export interface StripeReply {
  status: number;
  body: unknown;
}

type Params = Record<string, FormValue>;

/** Stripe's test payment methods and what confirming with each does. */
const TEST_PAYMENT_METHODS: Record<string, { outcome: 'succeed' | 'action' } | { outcome: 'decline'; declineCode: string; message: string }> = {
  pm_card_visa: { outcome: 'succeed' },
  pm_card_mastercard: { outcome: 'succeed' },
  pm_card_amex: { outcome: 'succeed' },
  pm_card_chargeDeclined: { outcome: 'decline', declineCode: 'generic_decline', message: 'Your card was declined.' },
  pm_card_chargeDeclinedInsufficientFunds: {
    outcome: 'decline',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_authenticationRequired: { outcome: 'action' },
};

const CONFIRMABLE: PaymentIntentStatus[] = ['requires_confirmation', 'requires_action', 'requires_payment_method'];

/** Parameters each endpoint accepts; anything else is refused as Stripe refuses it. */
const KNOWN_PARAMS = {
  customer: ['email', 'name', 'description', 'phone', 'metadata', 'address', 'shipping', 'payment_method', 'preferred_locales', 'expand'],
  paymentIntent: [
    'amount', 'currency', 'customer', 'description', 'metadata', 'payment_method', 'payment_method_types', 'confirm',
    'receipt_email', 'capture_method', 'setup_future_usage', 'statement_descriptor', 'return_url', 'off_session',
    'automatic_payment_methods', 'expand',
  ],
  confirm: ['payment_method', 'return_url', 'receipt_email', 'off_session', 'setup_future_usage', 'expand'],
};

export function newState(): StripeState {
  return { customers: new Map(), paymentIntents: new Map() };
}

/** Dispatches one API call. `path` has no query string. */
export function handleApiCall(state: StripeState, method: string, path: string, params: Params): StripeReply {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'v1' && parts[1] === 'customers') {
    if (method === 'POST' && parts.length === 2) return createCustomer(state, params);
    if (method === 'GET' && parts.length === 3) return retrieve(state.customers, parts[2], 'customer');
  }
  if (parts[0] === 'v1' && parts[1] === 'payment_intents') {
    if (method === 'POST' && parts.length === 2) return createPaymentIntent(state, params);
    if (method === 'GET' && parts.length === 3) return retrieve(state.paymentIntents, parts[2], 'payment_intent');
    if (method === 'POST' && parts.length === 4 && parts[3] === 'confirm') return confirmPaymentIntent(state, parts[2], params);
  }
  return invalidRequest(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );
}

export function stripeError(status: number, error: Record<string, unknown>): StripeReply {
  return { status, body: { error } };
}

function invalidRequest(status: number, message: string, extra: Record<string, unknown> = {}): StripeReply {
  return stripeError(status, { type: 'invalid_request_error', message, ...extra });
}

function unknownParam(params: Params, known: string[]): StripeReply | undefined {
  const unknown = Object.keys(params).find((k) => !known.includes(k));
  if (unknown === undefined) return undefined;
  return invalidRequest(400, `Received unknown parameter: ${unknown}`, { code: 'parameter_unknown', param: unknown });
}

function metadataOf(params: Params): Record<string, string> | StripeReply {
  const m = params.metadata;
  if (m === undefined) return {};
  if (typeof m !== 'object' || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string')) {
    return invalidRequest(400, 'Invalid object', { code: 'parameter_invalid_object', param: 'metadata' });
  }
  return m as Record<string, string>;
}

function str(v: FormValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function isReply(v: unknown): v is StripeReply {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

function createCustomer(state: StripeState, params: Params): StripeReply {
  const bad = unknownParam(params, KNOWN_PARAMS.customer);
  if (bad) return bad;
  const metadata = metadataOf(params);
  if (isReply(metadata)) return metadata;
  const customer: Customer = {
    id: stripeId('cus_', 14),
    object: 'customer',
    created: now(),
    email: str(params.email),
    name: str(params.name),
    description: str(params.description),
    phone: str(params.phone),
    metadata,
    livemode: false,
  };
  state.customers.set(customer.id, customer);
  return { status: 200, body: customer };
}

function retrieve(store: Map<string, unknown>, id: string, kind: string): StripeReply {
  const found = store.get(id);
  if (found) return { status: 200, body: found };
  return invalidRequest(404, `No such ${kind}: '${id}'`, { code: 'resource_missing', param: 'id' });
}

function createPaymentIntent(state: StripeState, params: Params): StripeReply {
  const bad = unknownParam(params, KNOWN_PARAMS.paymentIntent);
  if (bad) return bad;
  const missing = ['amount', 'currency'].find((k) => params[k] === undefined);
  if (missing) return invalidRequest(400, `Missing required param: ${missing}.`, { code: 'parameter_missing', param: missing });
  if (typeof params.amount !== 'string' || !/^\d+$/.test(params.amount) || Number(params.amount) < 1) {
    return invalidRequest(400, 'Invalid integer: ' + String(params.amount), { code: 'parameter_invalid_integer', param: 'amount' });
  }
  if (typeof params.currency !== 'string' || !/^[A-Za-z]{3}$/.test(params.currency)) {
    return invalidRequest(400, `Invalid currency: ${String(params.currency)}.`, { code: 'parameter_invalid_string', param: 'currency' });
  }
  const customer = str(params.customer);
  if (customer !== null && !state.customers.has(customer)) {
    return invalidRequest(400, `No such customer: '${customer}'`, { code: 'resource_missing', param: 'customer' });
  }
  const paymentMethod = str(params.payment_method);
  if (paymentMethod !== null && !(paymentMethod in TEST_PAYMENT_METHODS)) return noSuchPaymentMethod(paymentMethod);
  const metadata = metadataOf(params);
  if (isReply(metadata)) return metadata;

  const id = stripeId('pi_', 24);
  const intent: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount: Number(params.amount),
    amount_received: 0,
    currency: params.currency.toLowerCase(),
    customer,
    description: str(params.description),
    metadata,
    payment_method: paymentMethod,
    payment_method_types: ['card'],
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    client_secret: `${id}_secret_${stripeId('', 25)}`,
    confirmation_method: 'automatic',
    capture_method: 'automatic',
    created: now(),
    last_payment_error: null,
    latest_charge: null,
    next_action: null,
    livemode: false,
  };
  state.paymentIntents.set(id, intent);
  if (params.confirm === 'true') return confirm(intent, paymentMethod);
  return { status: 200, body: intent };
}

function confirmPaymentIntent(state: StripeState, id: string, params: Params): StripeReply {
  const bad = unknownParam(params, KNOWN_PARAMS.confirm);
  if (bad) return bad;
  const intent = state.paymentIntents.get(id);
  if (!intent) return invalidRequest(404, `No such payment_intent: '${id}'`, { code: 'resource_missing', param: 'intent' });
  return confirm(intent, str(params.payment_method) ?? intent.payment_method);
}

function noSuchPaymentMethod(id: string): StripeReply {
  return invalidRequest(400, `No such PaymentMethod: '${id}'`, { code: 'resource_missing', param: 'payment_method' });
}

/** Applies a test payment method's outcome to the intent (mutating it, as Stripe's state changes). */
function confirm(intent: PaymentIntent, paymentMethod: string | null): StripeReply {
  if (!CONFIRMABLE.includes(intent.status)) {
    return invalidRequest(
      400,
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: { ...intent } },
    );
  }
  if (paymentMethod === null) {
    return invalidRequest(
      400,
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the payment, update the PaymentIntent with a payment method and then confirm it again.",
      { code: 'payment_intent_unexpected_state', payment_intent: { ...intent } },
    );
  }
  const test = TEST_PAYMENT_METHODS[paymentMethod];
  if (!test) return noSuchPaymentMethod(paymentMethod);

  if (test.outcome === 'decline') {
    const error: PaymentError = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: test.declineCode,
      message: test.message,
      payment_method: { id: paymentMethod, object: 'payment_method', type: 'card' },
    };
    Object.assign(intent, { status: 'requires_payment_method', payment_method: null, last_payment_error: error, next_action: null });
    return stripeError(402, { ...error, payment_intent: { ...intent } });
  }
  if (test.outcome === 'action') {
    Object.assign(intent, {
      status: 'requires_action',
      payment_method: paymentMethod,
      last_payment_error: null,
      next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
    });
    return { status: 200, body: intent };
  }
  Object.assign(intent, {
    status: 'succeeded',
    payment_method: paymentMethod,
    amount_received: intent.amount,
    latest_charge: stripeId('ch_', 24),
    last_payment_error: null,
    next_action: null,
  });
  return { status: 200, body: intent };
}
