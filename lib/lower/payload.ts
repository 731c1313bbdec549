/**
 * Turns templated JSON (request bodies, headers, queries) into an ASL
 * `Parameters` fragment: literal values stay as they are; a value with
 * references becomes a `key.$` field holding a JSONPath or a `States.Format`
 * intrinsic. Secret placeholders are never resolved here: they stay as text,
 * and the JSON pointer of each field holding one is recorded so that the
 * handler substitutes secrets there and nowhere else.
 */
import { Codes, DiagnosticSink, type SourceRange } from '../diagnostics';
import { lowerTemplate, escapeIntrinsicString, resolverOf, type ParsedTemplate, type Reference, type ResolvedRef } from '../expressions';
import { TemplateText, type JsonTemplate } from '../model';

export { walkTemplates } from '../model';

export interface PayloadContext {
  templates: Map<TemplateText, ParsedTemplate>;
  resolved: Map<Reference, ResolvedRef>;
  sink: DiagnosticSink;
  /** JSON pointer → secret names allowed there; filled as fields are lowered. */
  secretFields: Record<string, string[]>;
}

/** A lowered value: a literal, or a dynamic expression (JSONPath or intrinsic) that needs a `.$` key. */
export type Lowered = { dynamic: false; value: unknown } | { dynamic: true; expression: string };

export function lowerString(t: TemplateText, pointer: string, ctx: PayloadContext): Lowered {
  const parsed = ctx.templates.get(t);
  if (!parsed) return { dynamic: false, value: t.text };
  return lowerParsedTemplate(parsed, pointer, ctx, t.range);
}

export function lowerParsedTemplate(parsed: ParsedTemplate, pointer: string, ctx: PayloadContext, range: SourceRange): Lowered {
  const secrets = parsed.references.filter((r) => r.kind === 'secret').map((r) => (r as { name: string }).name);
  if (secrets.length) ctx.secretFields[pointer] = [...new Set(secrets)];
  const lowered = lowerTemplate(parsed, resolverOf(ctx.resolved));
  if ('message' in lowered) {
    ctx.sink.report(Codes.TemplateSyntax, { message: lowered.message, hint: lowered.hint }, range);
    return { dynamic: false, value: parsed.text };
  }
  if (lowered.kind === 'literal') return { dynamic: false, value: lowered.value };
  return { dynamic: true, expression: lowered.kind === 'path' ? lowered.path : lowered.expression };
}

/** Lower a JSON template into `target[key]` (or `target[key.$]`). */
export function assignLowered(target: Record<string, unknown>, key: string, value: JsonTemplate, pointer: string, ctx: PayloadContext, at: TemplateText | null): void {
  if (key.endsWith('.$')) {
    ctx.sink.report(Codes.ReservedKey, { key }, at?.range ?? null);
    return;
  }
  const l = lowerJson(value, pointer, ctx);
  if (l.dynamic) target[`${key}.$`] = l.expression;
  else target[key] = l.value;
}

export function lowerJson(value: JsonTemplate, pointer: string, ctx: PayloadContext): Lowered {
  if (value instanceof TemplateText) return lowerString(value, pointer, ctx);
  if (value === null || typeof value !== 'object') return { dynamic: false, value };
  if (Array.isArray(value)) {
    const items = value.map((v, i) => lowerJson(v, `${pointer}/${i}`, ctx));
    if (items.every((i) => !i.dynamic)) return { dynamic: false, value: items.map((i) => (i as { value: unknown }).value) };
    // Parameters cannot put a path in an array slot; build the array with States.Array.
    const args: string[] = [];
    for (const [i, item] of items.entries()) {
      if (item.dynamic) args.push(item.expression);
      else if (typeof item.value === 'string') args.push(`'${escapeIntrinsicString(item.value)}'`);
      else if (typeof item.value === 'number' || typeof item.value === 'boolean' || item.value === null) args.push(String(item.value));
      else {
        ctx.sink.report(Codes.NotSupportedYet, { form: 'mixedList', position: i + 1 }, null);
        return { dynamic: false, value: null };
      }
    }
    return { dynamic: true, expression: `States.Array(${args.join(', ')})` };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) assignLowered(out, k, v, `${pointer}/${escapePointer(k)}`, ctx, v instanceof TemplateText ? v : null);
  return { dynamic: false, value: out };
}

/** RFC 6901 escaping of one pointer segment. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
