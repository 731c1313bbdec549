/**
 * Building JSONPath strings that every consumer of the definition accepts.
 *
 * Findings (aws-local-stepfunctions 3.0.0 / jsonpath-plus, asl-validator 4.0.0,
 * @wmfs/statelint 1.30; checked by test/expressions/jsonpath.test.ts):
 *  - Dot notation with a hyphen (`$.outputs.create-intent.x`) works in the local
 *    engine in a Choice `Variable`, in a Parameters `.$` field and as an argument
 *    of `States.Format`; asl-validator accepts it. AWS (Jayway JsonPath) accepts
 *    it too (awslabs/statelint#17).
 *  - Bracket notation `$.outputs['create-intent'].x` works in the same places,
 *    so it buys nothing for hyphens; it is needed for other keys (spaces, dots,
 *    a leading digit or hyphen, non-ASCII).
 *  - statelint rejects a hyphen in BOTH notations (its name grammar is
 *    ECMAScript identifiers; `$._x` fails too) wherever it checks paths: `.$`
 *    fields, `...Path` comparison operands, ResultPath. It never checks Choice
 *    `Variable` (a bug: it walks the Choices array as an object). Nothing can
 *    make a hyphenated key pass statelint; AWS accepts it, so we prefer dots.
 *  - A key containing `'`, `[` or `]` cannot be addressed in the local engine
 *    (jsonpath-plus has no escapes in brackets), and `\` is an escape
 *    character in Jayway's quoted keys: such keys are refused.
 *  - An all-digit segment is written `[n]`: an array index (the local engine
 *    also reads it as an object key; AWS does not).
 */

const DOT_SAFE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDEX = /^(0|[1-9][0-9]*)$/;
const UNADDRESSABLE = /['[\]\\]/;

/** Whether `segment` can be part of a path built by `jsonPathOf`. */
export function isAddressableSegment(segment: string): boolean {
  return !UNADDRESSABLE.test(segment);
}

/**
 * A JSONPath from `root` through `segments`: `.name` when the segment is
 * `[A-Za-z_][A-Za-z0-9_-]*`, `[n]` for an all-digit segment, `['key']`
 * otherwise. Throws a RangeError for a key no engine can address (see
 * `isAddressableSegment`); the compiler should check names first.
 */
export function jsonPathOf(segments: string[], root = '$'): string {
  let out = root;
  for (const s of segments) {
    if (DOT_SAFE.test(s)) out += `.${s}`;
    else if (INDEX.test(s)) out += `[${s}]`;
    else if (!UNADDRESSABLE.test(s)) out += `['${s}']`;
    else throw new RangeError(`The key ${JSON.stringify(s)} cannot be written in a JSONPath: it contains ', [, ] or \\.`);
  }
  return out;
}
