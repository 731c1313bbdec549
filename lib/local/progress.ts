/**
 * The progress display: one line on stderr per state event, as it happens.
 */
import type { AslDefinition } from '../types';
import { fallbackTarget } from './definition';
import type { RunEvent } from './events';

const MAX_CAUSE_CHARS = 240;

export interface ProgressContext {
  definition: AslDefinition;
  /** Applied to every line (secret values out). */
  redact: (text: string) => string;
}

/** Formats events into lines; keeps the entry time of each state for durations. */
export class ProgressFormatter {
  private readonly enteredAt = new Map<string, number>();
  /** Times are shown from the first event on. */
  private origin: number | undefined;

  constructor(private readonly ctx: ProgressContext) {}

  line(e: RunEvent): string {
    this.origin ??= e.time;
    const at = `[${((e.time - this.origin) / 1000).toFixed(3).padStart(7)}s]`;
    return this.ctx.redact(`${at} ${this.body(e)}`);
  }

  private body(e: RunEvent): string {
    switch (e.kind) {
      case 'entered':
        this.enteredAt.set(e.state, e.time);
        return `→ ${e.state}`;
      case 'succeeded':
        return `✓ ${e.state} (${e.time - (this.enteredAt.get(e.state) ?? e.time)} ms)`;
      case 'retried':
        return `↻ ${e.state} retry (attempt ${e.attempt}) after ${e.error}: ${oneLine(e.cause)}`;
      case 'caught': {
        const target = fallbackTarget(this.ctx.definition, e.next);
        return `⤷ ${e.state} caught ${e.error}: ${oneLine(e.cause)} → fallback edge ${e.state} → ${target}`;
      }
      case 'failed':
        return `✗ ${e.state} failed ${e.error}: ${oneLine(e.cause)}`;
    }
  }
}

export function oneLine(text: string, max = MAX_CAUSE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
