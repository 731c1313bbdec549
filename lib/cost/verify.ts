/**
 * `osop-sfn cost --verify`: each path the cost walk counted, run on the local
 * engine (`lib/local`, the runner of `osop-sfn test`) with every Task
 * answered as the walk answered it, and its transitions counted from the
 * run's events: states entered plus retries, as Step Functions bills them.
 * Loaded only by the commands that verify (the engine is not on the compile path).
 */
import type { AslDefinition, CompileReport } from '../types';
import { runTestCase } from '../local/test-runner';
import type { MockEntry, NodeMock, TestCase } from '../local/test-cases';
import type { CostPath } from './paths';

export interface Verification {
  id: string;
  /** Transitions the walk counted. */
  counted: number;
  /** Transitions of the local run (states entered + retries). */
  ran: number;
  /** The run's ending, `SUCCEEDED` or the error. */
  ranStatus: string;
  countedStatus: string;
  /** Why the run could not follow the path (an unmocked Task, an engine error), when it could not. */
  problem?: string;
  agrees: boolean;
}

export async function verifyPaths(definition: AslDefinition, report: CompileReport, paths: CostPath[]): Promise<Verification[]> {
  const out: Verification[] = [];
  for (const p of paths) {
    const mocks = new Map<string, NodeMock>();
    for (const c of p.walk.calls) {
      const entry: MockEntry = c.error !== undefined ? { error: c.error, cause: c.cause } : { outputs: c.outputs ?? {} };
      const m = mocks.get(c.state) ?? { calls: [] };
      m.calls.push(entry);
      mocks.set(c.state, m);
    }
    const tc: TestCase = { id: p.id, type: 'simulation', input: p.walk.input, mocks, expect: {} };
    const r = await runTestCase(tc, definition, report);
    const entered = r.outcome.events.filter((e) => e.kind === 'entered').length;
    const retried = r.outcome.events.filter((e) => e.kind === 'retried').length;
    const ran = entered + retried;
    const ranStatus = r.outcome.status === 'SUCCEEDED' ? 'SUCCEEDED' : (r.outcome.error ?? r.outcome.status);
    const countedStatus = p.walk.status === 'SUCCEEDED' ? 'SUCCEEDED' : (p.walk.error ?? 'FAILED');
    out.push({ id: p.id, counted: p.walk.transitions, ran, ranStatus, countedStatus, problem: r.error, agrees: !r.error && ran === p.walk.transitions && ranStatus === countedStatus });
  }
  return out;
}
