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
 *  - jsonpath-plus turns a path into steps with regular expressions: inside
 *    brackets it has no escapes (`'`, `]`), and `^ ~ ; , : @ $ * (` or an
 *    empty key change the meaning of a step in some positions (`$[',']`,
 *    `$.a[''][',']`, `$.a['x^y']` all fail), and below the second level a key
 *    with two dots in a row reads its parent (`$.a.b['..']` is `$.a.b`). `\` is
 *    an escape in Jayway's quoted keys. So a bracketed key is limited to
 *    letters, digits, `_`, `-`, space and single `.`s; any other key is refused
 *    (RangeError), and the first key must be a plain name.
 *  - An all-digit segment is written `[n]`: an array index (the local engine
 *    also reads it as an object key; AWS does not).
 */

const DOT_SAFE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDEX = /^(0|[1-9][0-9]*)$/;
// Two dots in a row inside brackets are misread below the second level (`$.a.b['..']` reads `$.a.b`).
const BRACKETABLE = /^(?!.*\.\.)[\p{L}\p{N}_\- .]+$/u;

/** Whether `segment` can be part of a path built by `jsonPathOf` (after the first key). */
export function isAddressableSegment(segment: string): boolean {
  return DOT_SAFE.test(segment) || INDEX.test(segment) || BRACKETABLE.test(segment);
}

/**
 * A JSONPath from `root` through `segments`: `.name` when the segment is
 * `[A-Za-z_][A-Za-z0-9_-]*`, `[n]` for an all-digit segment, `['key']` for
 * other keys of letters, digits, `_`, `-`, space and `.`. Throws a RangeError
 * for any other key (see `isAddressableSegment`); the compiler should check
 * names first.
 */
export function jsonPathOf(segments: string[], root = '$'): string {
  if (segments.length > 0 && !DOT_SAFE.test(segments[0]) && !INDEX.test(segments[0])) {
    throw new RangeError(`The first key of a path must be a plain name, not ${JSON.stringify(segments[0])}.`);
  }
  let out = root;
  for (const s of segments) {
    if (DOT_SAFE.test(s)) out += `.${s}`;
    else if (INDEX.test(s)) out += `[${s}]`;
    else if (BRACKETABLE.test(s)) out += `['${s}']`;
    else throw new RangeError(`The key ${JSON.stringify(s)} cannot be written in a JSONPath: keys may hold letters, digits, _, -, space and '.'.`);
  }
  return out;
}
