import fc from 'fast-check';
import { isAddressableSegment, jsonPathOf } from '../../lib/expressions';
import { choose, runPass, validate, choiceDefinition, passDefinition } from './engine';

describe('jsonPathOf', () => {
  it.each([
    [['outputs', 'create-intent', 'x'], '$.outputs.create-intent.x'],
    [['input', 'a_b', 'C9'], '$.input.a_b.C9'],
    [['outputs', 'n', 'items', '0', 'id'], '$.outputs.n.items[0].id'],
    [['outputs', 'n', 'a b'], "$.outputs.n['a b']"],
    [['outputs', 'n', 'dot.key'], "$.outputs.n['dot.key']"],
    [['outputs', 'n', '9lives'], "$.outputs.n['9lives']"],
    [['outputs', 'n', '-x'], "$.outputs.n['-x']"],
    [['outputs', 'n', 'café'], "$.outputs.n['café']"],
    [['outputs', 'n', '007'], "$.outputs.n['007']"],
    [['outputs', 'n', 'a.b c-d_é'], "$.outputs.n['a.b c-d_é']"],
    [[], '$'],
    [['0', 'x'], '$[0].x'],
  ])('%j -> %s', (segments, expected) => {
    expect(jsonPathOf(segments)).toBe(expected);
  });

  it('takes another root', () => {
    expect(jsonPathOf(['Execution', 'Name'], '$$')).toBe('$$.Execution.Name');
  });

  it.each(["it's", 'a[0]', 'a]', 'back\\slash', 'x^y', '', ',', '@x', 'a;b', '$', '*', 'a:b', '(x)'])('refuses the unaddressable key %j', (key) => {
    expect(isAddressableSegment(key)).toBe(false);
    expect(() => jsonPathOf(['outputs', key])).toThrow(RangeError);
  });

  it.each(['@', ',', '*', '$', 'a b'])('refuses %j as the first key (jsonpath-plus misreads it under the root)', (key) => {
    expect(() => jsonPathOf([key, 'x'])).toThrow(/first key/);
  });

  it('refuses a key with two dots in a row (the local engine reads the parent instead, below the second level)', () => {
    expect(isAddressableSegment('..')).toBe(false);
    expect(() => jsonPathOf(['outputs', 'a', 'x..y'])).toThrow(RangeError);
    expect(jsonPathOf(['outputs', 'a', 'x.y'])).toBe("$.outputs.a['x.y']");
  });

  it('reads back any addressable key in the local engine', async () => {
    const unit = fc.constantFrom('a', 'Z', '_', '-', '0', '7', ' ', '.', 'é', '日', '😀', '$', '@', '*', ',', ':', '"', '(', ')', '?', '~', '{', '}', '#', '/', '!', '=', '<', '&', '|', '%', '+', '`');
    const segment = fc.oneof(fc.string({ unit, maxLength: 6 }), fc.string({ unit: fc.constantFrom('a', 'Z', '_', '-', '0', ' ', '.', 'é', '日'), maxLength: 6 }));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.string(), async (keys, value) => {
        const segments = ['outputs', ...keys];
        if (!keys.every(isAddressableSegment)) {
          expect(() => jsonPathOf(segments)).toThrow(RangeError);
          return;
        }
        let data: unknown = value;
        for (let i = segments.length - 1; i >= 0; i--) data = { [segments[i]]: data };
        const path = jsonPathOf(segments);
        expect(await runPass({ 'v.$': path }, data)).toEqual({ v: value });
        expect(await runPass({ 'v.$': `States.Format('<{}>', ${path})` }, data)).toEqual({ v: `<${value.replace(/\\/g, '')}>` });
      }),
      { numRuns: Number(process.env.OSOP_FUZZ_RUNS ?? 150) },
    );
  });
});

// The findings documented in lib/expressions/jsonpath.ts.
describe('hyphenated keys in the toolchain', () => {
  const input = { outputs: { 'create-intent': { x: 'hello', n: 5 } } };
  const dot = '$.outputs.create-intent.x';
  const bracket = "$.outputs['create-intent'].x";

  it.each([dot, bracket])('%s works in the local engine: Choice Variable, Parameters and States.Format', async (path) => {
    expect(await choose({ kind: 'rule', rule: { Variable: path, StringEquals: 'hello' } }, input)).toBe(true);
    expect(await runPass({ 'v.$': path }, input)).toEqual({ v: 'hello' });
    expect(await runPass({ 'v.$': `States.Format('[{}]', ${path})` }, input)).toEqual({ v: '[hello]' });
  });

  it.each([dot, bracket])('%s passes asl-validator everywhere', (path) => {
    expect(validate(choiceDefinition({ Variable: path, StringEqualsPath: path })).asl).toEqual([]);
    expect(validate(passDefinition({ 'v.$': path, 'w.$': `States.Format('{}', ${path})` })).asl).toEqual([]);
  });

  it.each([dot, bracket])('statelint rejects %s in a .$ field and a ...Path operand, but never checks Choice Variable', (path) => {
    expect(validate(passDefinition({ 'v.$': path })).statelint).toEqual([expect.stringContaining('is not a JSONPath or intrinsic function expression')]);
    expect(validate(choiceDefinition({ Variable: '$.a', StringEqualsPath: path })).statelint).toEqual([expect.stringContaining('should be a Reference Path')]);
    expect(validate(choiceDefinition({ Variable: path, StringEquals: 'x' })).statelint).toEqual([]);
    // Inside an intrinsic the arguments are not checked.
    expect(validate(passDefinition({ 'v.$': `States.Format('{}', ${path})` })).statelint).toEqual([]);
  });

  it('statelint accepts the same paths without hyphens', () => {
    expect(validate(passDefinition({ 'v.$': '$.outputs.create_intent.x' })).statelint).toEqual([]);
    expect(validate(choiceDefinition({ Variable: '$.a', StringEqualsPath: '$.outputs.create_intent.x' })).statelint).toEqual([]);
  });
});
