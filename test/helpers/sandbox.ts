/** The local stand-ins (Stripe, the Anthropic API) for a test file or block: started before its tests, reset before each, closed after. */
import { startSandbox, type Sandbox } from '../../sandbox';

/** The returned function gives the running sandbox (inside tests and hooks). */
export function useSandbox(): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox?.close());
  beforeEach(() => {
    sandbox!.stripe.reset();
    sandbox!.llm.reset();
  });
  return () => sandbox!;
}
