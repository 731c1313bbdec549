/**
 * The progress display: one line on stderr per state event, as it happens.
 */
import { ErrorNames } from '../contract/task-payload';
import type { AslDefinition, CompileReport } from '../types';
import { fallbackTarget, nodeStatesOf } from './definition';
import { readableCause } from './events';
import type { RunEvent, RunWatcher } from './events';

const MAX_CAUSE_CHARS = 240;

export interface ProgressContext {
  definition: AslDefinition;
  /** The workflow's node states (fallback targets are shown as the node they lead to). */
  report: Pick<CompileReport, 'nodes'>;
  /** Applied to every line (secret values out). */
  redact: (text: string) => string;
}

/**
 * Formats events into lines; keeps the entry time of each state for
 * durations. A sub-workflow's lines carry its id as a prefix and share the
 * run's clock.
 */
export class ProgressFormatter {
  private readonly enteredAt = new Map<string, number>();

  /** `clock.origin`: times are shown from the run's first event on. */
  constructor(private readonly ctx: ProgressContext, private readonly clock: { origin?: number } = {}, private readonly prefix = '') {}

  line(e: RunEvent): string {
    return this.stamp(e.time, this.body(e));
  }

  /** A line that is not a state event (an approval waiting, its answer). */
  note(text: string, time = Date.now()): string {
    return this.stamp(time, text);
  }

  /** The formatter of a sub-workflow's execution. */
  child(definition: AslDefinition, workflowId: string, report: Pick<CompileReport, 'nodes'>): ProgressFormatter {
    return new ProgressFormatter({ ...this.ctx, definition, report }, this.clock, `${this.prefix || '  '}${workflowId} ▸ `);
  }

  private stamp(time: number, text: string): string {
    this.clock.origin ??= time;
    const at = `[${((time - this.clock.origin) / 1000).toFixed(3).padStart(7)}s]`;
    return this.ctx.redact(`${at} ${this.prefix}${text}`);
  }

  private body(e: RunEvent): string {
    switch (e.kind) {
      case 'entered':
        this.enteredAt.set(e.state, e.time);
        return `→ ${e.state}`;
      case 'succeeded':
        return `✓ ${e.state} (${e.time - (this.enteredAt.get(e.state) ?? e.time)} ms)`;
      case 'retried':
        return `↻ ${e.state} retry (attempt ${e.attempt}) after ${e.error}: ${oneLine(readableCause(e.cause))}`;
      case 'caught': {
        // A rejection is an answer, not a failure: the compiled Catch routes on the decision.
        if (e.error === ErrorNames.ApprovalRejected) return `⤷ ${e.state} caught ${e.error}: ${oneLine(readableCause(e.cause))} → ${e.next} (decision 'rejected')`;
        const target = fallbackTarget(this.ctx.definition, nodeStatesOf(this.ctx.report), e.next);
        return `⤷ ${e.state} caught ${e.error}: ${oneLine(readableCause(e.cause))} → fallback edge ${e.state} → ${target}`;
      }
      case 'failed':
        return `✗ ${e.state} failed ${e.error}: ${oneLine(readableCause(e.cause))}`;
    }
  }
}

/** A watcher that writes each event and note as a progress line. */
export function progressWatcher(formatter: ProgressFormatter, write: (line: string) => void): RunWatcher {
  return {
    event: (e) => write(formatter.line(e)),
    note: (text) => write(formatter.note(text)),
    child: (workflowId, definition, report) => progressWatcher(formatter.child(definition, workflowId, report), write),
  };
}

export function oneLine(text: string, max = MAX_CAUSE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
