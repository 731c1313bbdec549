/**
 * The handler modules by the name the compile report gives them
 * (`TaskReport.function.name`, `LocalRunner.handler`), for local runs, which
 * call them in-process as Lambda would. Loaded on first use: the agent
 * handlers pull in their SDKs lazily themselves. Static requires, so that the
 * bundled CLI carries them.
 */
export type HandlerModule = { handler: (event: never, context?: never) => Promise<unknown> };

/* eslint-disable @typescript-eslint/no-require-imports */
export const HANDLER_MODULES: Record<string, () => HandlerModule> = {
  rest: () => require('./rest') as HandlerModule,
  agent: () => require('./agent') as HandlerModule,
  'agent-openai': () => require('./agent-openai') as HandlerModule,
  mcp: () => require('./mcp') as HandlerModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */
