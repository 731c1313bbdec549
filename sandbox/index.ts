/**
 * The local sandbox: a Stripe stand-in and an Anthropic stand-in on
 * 127.0.0.1, with the environment and routes that point the handlers at them.
 */
import { randomBytes } from 'node:crypto';
import { startLlmSandbox, type LlmSandbox } from './llm/server';
import { startStripeSandbox, type StripeSandbox } from './stripe/server';

export { startLlmSandbox, type LlmSandbox, type LlmSandboxOptions, type LlmRequest } from './llm/server';
export { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions, type RecordedRequest, type FaultSpec } from './stripe/server';

export interface Sandbox {
  stripeUrl: string;
  llmUrl: string;
  /** Secrets and settings for the handlers (local secrets are environment variables). */
  env: { STRIPE_SECRET_KEY: string; ANTHROPIC_API_KEY: string; ANTHROPIC_BASE_URL: string };
  /** For the REST handler's `setRoutes` / `OSOP_ROUTES`. */
  routes: Record<string, string>;
  stripe: StripeSandbox;
  llm: LlmSandbox;
  close(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  // Fresh keys each start, and the servers accept only these: a run that reaches
  // them proves the handlers read the secrets from where they should.
  const stripeKey = `sk_test_sandbox_${randomBytes(12).toString('hex')}`;
  const anthropicKey = `sk-ant-sandbox-${randomBytes(12).toString('hex')}`;
  const [stripeStart, llmStart] = await Promise.allSettled([
    startStripeSandbox({ apiKey: stripeKey }),
    startLlmSandbox({ apiKey: anthropicKey }),
  ]);
  if (stripeStart.status === 'rejected' || llmStart.status === 'rejected') {
    // Do not leave the one that did start listening.
    await Promise.all([stripeStart, llmStart].map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw stripeStart.status === 'rejected' ? stripeStart.reason : (llmStart as PromiseRejectedResult).reason;
  }
  const stripe = stripeStart.value;
  const llm = llmStart.value;
  return {
    stripeUrl: stripe.url,
    llmUrl: llm.url,
    env: { STRIPE_SECRET_KEY: stripeKey, ANTHROPIC_API_KEY: anthropicKey, ANTHROPIC_BASE_URL: llm.url },
    routes: { 'https://api.stripe.com': stripe.url },
    stripe,
    llm,
    close: async () => {
      await Promise.all([stripe.close(), llm.close()]);
    },
  };
}
