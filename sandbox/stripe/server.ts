/**
 * A local Stripe: the API subset payment workflows use (resources.ts), with
 * Stripe's authentication and idempotency behaviour, a journal of every
 * request, and injectable faults. node:http only; binds 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultPlan, type FaultSpec } from './faults';
import { parseForm, type FormValue } from './form';
import { stripeId } from './ids';
import { IdempotencyStore } from './idempotency';
import { handleApiCall, newState, stripeError, type StripeReply, type StripeState } from './resources';

export type { FaultSpec } from './faults';
export type { Customer, PaymentIntent, StripeState } from './resources';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  rawBody: string;
  /** The body parsed with bracket notation (the query for GET). */
  form: Record<string, FormValue>;
  idempotencyKey: string | null;
  /** Status sent; null when the connection was dropped without a response. */
  status: number | null;
  /** True when the response is a stored idempotent result. */
  replayed: boolean;
  fault: FaultSpec['kind'] | null;
}

export interface StripeSandboxOptions {
  /** Accept only this key (any `sk_test_…` key when absent). */
  apiKey?: string;
  /** Default 0: a free port. */
  port?: number;
}

export interface StripeSandbox {
  url: string;
  port: number;
  /** Every request received, oldest first (cleared by `reset`). */
  requests: RecordedRequest[];
  /** The live objects, for assertions ("exactly one payment intent"). */
  state: StripeState;
  injectFault(fault: FaultSpec): void;
  /**
   * Makes the customer pay with other Stripe test cards: the n-th distinct
   * confirmation (by Idempotency-Key, so a retry pays with the same card)
   * uses `cards[n]` instead of the payment method it names; later ones are
   * untouched. Each card then has its documented outcome (a 402 decline for
   * pm_card_chargeDeclined, requires_action for pm_card_authenticationRequired).
   */
  payWith(cards: string[]): void;
  /** Forgets objects, requests, idempotency keys, faults and cards. */
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
  replayed?: boolean;
}

export async function startStripeSandbox(opts: StripeSandboxOptions = {}): Promise<StripeSandbox> {
  const state = newState();
  const requests: RecordedRequest[] = [];
  const faults = new FaultPlan();
  const idempotency = new IdempotencyStore();
  // Aborts pending delays on close, so a delayed response cannot keep the process alive.
  const lifetime = new AbortController();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      form: parseForm(method === 'GET' ? url.search.slice(1) : rawBody),
      idempotencyKey: headers['idempotency-key'] ?? null,
      status: null,
      replayed: false,
      fault: null,
    };
    requests.push(record);

    const send = (reply: Reply): void => {
      record.status = reply.status;
      record.replayed = reply.replayed === true;
      res.writeHead(reply.status, {
        'Content-Type': 'application/json',
        'Request-Id': stripeId('req_', 14),
        ...(record.idempotencyKey && { 'Idempotency-Key': record.idempotencyKey }),
        ...(reply.replayed && { 'Idempotent-Replayed': 'true' }),
        ...reply.headers,
      });
      res.end(reply.body);
    };

    const authFailure = checkAuth(headers.authorization, opts.apiKey);
    if (authFailure) return send(toReply(authFailure));

    const fault = faults.take(method, url.pathname);
    record.fault = fault?.kind ?? null;
    if (fault && !fault.afterEffect && fault.kind !== 'delay') return deliverFault(fault, res, send);

    const reply = await produce(method, url.pathname, record, fault);
    if (fault?.afterEffect) {
      if (fault.kind !== 'delay') return deliverFault(fault, res, send);
      await sleep(fault.delayMs, undefined, { signal: lifetime.signal });
    }
    send(reply);
  }

  /** Runs the call under Stripe's idempotency rules; a `delay` fault holds the key while it waits. */
  async function produce(method: string, path: string, record: RecordedRequest, fault: FaultSpec | undefined): Promise<Reply> {
    const contentType = record.headers['content-type'] ?? '';
    if (record.rawBody !== '' && !contentType.startsWith('application/x-www-form-urlencoded')) {
      return toReply(
        stripeError(400, {
          type: 'invalid_request_error',
          message: `Invalid request: unsupported Content-Type ${contentType}. If error persists and you need assistance, please contact support@stripe.com.`,
        }),
      );
    }
    const key = method === 'POST' ? record.idempotencyKey : null;
    const fingerprint = `${method} ${path}\n${record.rawBody}`;
    if (key) {
      const decision = idempotency.begin(key, fingerprint);
      if (decision.kind === 'replay') return { status: decision.stored.status, body: decision.stored.body, replayed: true };
      if (decision.kind === 'mismatch') {
        return toReply(
          stripeError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          }),
        );
      }
      if (decision.kind === 'in-flight') {
        return {
          ...toReply(
            stripeError(409, {
              type: 'idempotency_error',
              message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): '${key}'. Please try again later.`,
            }),
          ),
          headers: { 'Stripe-Should-Retry': 'true' },
        };
      }
    }
    if (fault?.kind === 'delay' && !fault.afterEffect) await sleep(fault.delayMs, undefined, { signal: lifetime.signal });
    const reply = toReply(handleApiCall(state, method, path, withCustomerCard(method, path, key, record.form)));
    if (key) idempotency.finish(key, { fingerprint, status: reply.status, body: reply.body });
    return reply;
  }

  let cards: string[] = [];
  const cardKeys: string[] = [];
  function withCustomerCard(method: string, path: string, key: string | null, form: RecordedRequest['form']): RecordedRequest['form'] {
    if (method !== 'POST' || !/\/confirm$/.test(path) || !key || cards.length === 0) return form;
    if (!cardKeys.includes(key)) cardKeys.push(key);
    const card = cards[cardKeys.indexOf(key)];
    return card ? { ...form, payment_method: card } : form;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    state,
    injectFault: (fault) => faults.inject(fault),
    payWith(next) {
      cards = [...next];
      cardKeys.length = 0;
    },
    reset() {
      cards = [];
      cardKeys.length = 0;
      state.customers.clear();
      state.paymentIntents.clear();
      requests.length = 0;
      faults.clear();
      idempotency.clear();
    },
    async close() {
      lifetime.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toReply(r: StripeReply): Reply {
  return { status: r.status, body: JSON.stringify(r.body) };
}

function deliverFault(fault: FaultSpec, res: ServerResponse, send: (r: Reply) => void): void {
  if (fault.kind === 'drop') {
    res.socket?.destroy();
    return;
  }
  const status = fault.kind === 'status503' ? 503 : 500;
  send(
    toReply(
      stripeError(status, {
        type: 'api_error',
        message: "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at https://support.stripe.com/contact.",
      }),
    ),
  );
}

/** Stripe's 401s: no key, or a key that is not an accepted test key. The key is never echoed whole. */
function checkAuth(authorization: string | undefined, expected: string | undefined): StripeReply | undefined {
  const key = apiKeyFrom(authorization);
  if (!key) {
    return stripeError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
  }
  if (!key.startsWith('sk_test_') || (expected !== undefined && key !== expected)) {
    return stripeError(401, { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${mask(key)}` });
  }
  return undefined;
}

/** Bearer, or Basic with the key as user name (`curl -u sk_test_…:`), as Stripe accepts. */
function apiKeyFrom(authorization: string | undefined): string | undefined {
  const [scheme, value] = (authorization ?? '').split(/\s+/, 2);
  if (/^bearer$/i.test(scheme) && value) return value;
  if (/^basic$/i.test(scheme) && value) return Buffer.from(value, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

function mask(key: string): string {
  return key.length <= 12 ? '*'.repeat(key.length) : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
