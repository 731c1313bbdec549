/**
 * User handlers (`x-sfn: { handler: path }`) in local runs: the module at
 * `path` (relative to the workflow file's folder), TypeScript or JavaScript,
 * bundled with esbuild as a Lambda deployment would bundle it, loaded, and
 * called with the Task's payload as Lambda would call it, inside the same
 * wrapper as in the deployed function (`lambdas/custom`): it resolves the
 * `${secrets.NAME}` of the node's runtime (locally the environment variable
 * NAME) before the module sees it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wrapCustomHandler, type UserHandlerFunction } from '../../lambdas/custom';
import type { CustomTaskPayload } from '../contract/task-payload';
import { invokeResult, lambdaCause, lambdaError, taskError, type LocalTaskHandler } from './handlers';

export type UserHandler = (event: CustomTaskPayload) => unknown;

/** A module that cannot be loaded: missing, not compiling, or without a `handler` function. Nothing has run yet. */
export class UserHandlerError extends Error {}

export interface UserHandlerModule {
  /** Absolute path of the module. */
  file: string;
  /** The nodes bound to it, for messages. */
  nodes: string[];
}

/** Bundles and loads every module (before the run starts, so that a broken one stops nothing half-way); keyed by absolute path. */
export async function loadUserHandlers(modules: UserHandlerModule[]): Promise<Map<string, UserHandler>> {
  const out = new Map<string, UserHandler>();
  if (modules.length === 0) return out;
  // Loaded here, not imported: only runs with user handlers need esbuild.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-handlers-'));
  try {
    for (const [i, m] of modules.entries()) {
      const what = `The handler module ${path.relative(process.cwd(), m.file) || m.file} (x-sfn handler of ${m.nodes.map((n) => `'${n}'`).join(', ')})`;
      if (!fs.existsSync(m.file)) throw new UserHandlerError(`${what} does not exist.`);
      const outfile = path.join(dir, `handler-${i}.cjs`);
      try {
        // Dependencies are bundled in, as for Lambda: the temp file resolves nothing at run time.
        await esbuild.build({ entryPoints: [m.file], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
      } catch (e) {
        const errors = ((e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? []).map(
          (x) => `  ${x.location ? `${x.location.file}:${x.location.line}:${x.location.column + 1}: ` : ''}${x.text}`,
        );
        throw new UserHandlerError(`${what} does not build:\n${errors.join('\n') || `  ${(e as Error).message}`}`);
      }
      let loaded: { handler?: unknown };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        loaded = require(outfile) as { handler?: unknown };
      } catch (e) {
        throw new UserHandlerError(`${what} fails while loading: ${(e as Error).name}: ${(e as Error).message}`);
      }
      if (typeof loaded.handler !== 'function') throw new UserHandlerError(`${what} exports no function 'handler' (Lambda calls exports.handler).`);
      out.set(m.file, wrapCustomHandler(loaded.handler as UserHandlerFunction));
    }
  } finally {
    // Loaded modules stay in memory; the bundles are not needed any more.
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The local stand-in for the user's Lambda function: the handler gets the Payload; its result is the invoke result's Payload. */
export function userHandlerInvoker(fn: UserHandler): LocalTaskHandler {
  return async (input) => {
    const payload = (input as { Payload?: unknown } | null)?.Payload as CustomTaskPayload;
    let result: unknown;
    try {
      result = await fn(payload);
    } catch (err) {
      throw lambdaError(err);
    }
    // Lambda returns JSON: a BigInt, a cycle or a function cannot be a Task's result (on AWS the invoke fails too).
    try {
      JSON.stringify(result);
    } catch (err) {
      throw taskError('OSOP.Output', lambdaCause('OSOP.Output', `the handler returned a value that is not JSON (${(err as Error).message})`));
    }
    return invokeResult(result);
  };
}
