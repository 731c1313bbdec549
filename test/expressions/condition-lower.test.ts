import * as fs from 'node:fs';
import { lowerCondition, lowerSwitchCase, parseCondition, type ChoiceRule, type LoweredCondition } from '../../lib/expressions';
import { corpusConditions, CORPUS_DIR } from './corpus';
import { plainResolver, testResolver } from './resolver';

const P = (name: string) => `$.outputs.prev.${name}`;
const rule = (r: ChoiceRule): LoweredCondition => ({ kind: 'rule', rule: r });
const num = (v: string, op: string, n: number) => ({ And: [{ Variable: v, IsNumeric: true }, { Variable: v, [op]: n }] });
const str = (v: string, s: string) => ({ Variable: v, StringEquals: s });
const bool = (v: string, b: boolean) => ({ Variable: v, BooleanEquals: b });
/** Field against field, types unknown, both present: the rule lowerCondition builds for `a == b`. */
const untypedEq = (a: string, b: string) => ({
  Or: [
    { And: [{ Variable: a, IsString: true }, { Variable: b, IsString: true }, { Variable: a, StringEqualsPath: b }] },
    { And: [{ Variable: a, IsNumeric: true }, { Variable: b, IsNumeric: true }, { Variable: a, NumericEqualsPath: b }] },
    { And: [{ Variable: a, IsBoolean: true }, { Variable: b, IsBoolean: true }, { Variable: a, BooleanEqualsPath: b }] },
    { And: [{ Variable: a, IsNull: true }, { Variable: b, IsNull: true }] },
  ],
});

function lower(text: string, resolver = testResolver): LoweredCondition | { error: string; at: string; hint?: string } {
  const parsed = parseCondition(text);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error.message}`);
  const l = lowerCondition(parsed.value, resolver);
  if ('message' in l) return { error: l.message, at: text.slice(l.span.offset, l.span.offset + l.span.length), hint: l.hint };
  return l;
}

/**
 * Every edge condition of the real files in ../shared/osop-corpus (bare names
 * resolve under $.outputs.prev; the compiler picks the real node), with its rule.
 */
const CORPUS: [string, LoweredCondition][] = [
  ['success', rule(bool(P('success'), true))],
  ['otherwise', { kind: 'constant', value: true }],
  ['approved == true', rule(bool(P('approved'), true))],
  ['validation_failed == true', rule(bool(P('validation_failed'), true))],
  ["status == 'success'", rule(str(P('status'), 'success'))],
  ["status == 'failed' AND retry_count < 3", rule({ And: [str(P('status'), 'failed'), ...num(P('retry_count'), 'NumericLessThan', 3).And] })],
  ['amount >= 1000', rule(num(P('amount'), 'NumericGreaterThanEquals', 1000))],
  ['amount < 1000', rule(num(P('amount'), 'NumericLessThan', 1000))],
  ['result != success', rule({ Not: untypedEq(P('result'), P('success')) })],
  ['confidence < 0.85', rule(num(P('confidence'), 'NumericLessThan', 0.85))],
  ["severity == 'critical'", rule(str(P('severity'), 'critical'))],
  ["review.decision == 'changes_requested'", rule(str('$.outputs.review.decision', 'changes_requested'))],
  ["result != 'success'", rule({ Not: str(P('result'), 'success') })],
  ["outputs.review_report.decision == 'revise'", rule(str('$.outputs.review_report.decision', 'revise'))],
  ['outputs.quality_gate.passed == true', rule(bool('$.outputs.quality_gate.passed', true))],
  // A switch subject: the compiler lowers its cases with lowerSwitchCase; alone it reads as a boolean.
  ['outputs.classify_intent.intent', rule(bool('$.outputs.classify_intent.intent', true))],
  ['is_duplicate == true', rule(bool(P('is_duplicate'), true))],
  ['is_duplicate == false', rule(bool(P('is_duplicate'), false))],
  ['inspection_passed == true', rule(bool(P('inspection_passed'), true))],
  ["decision == 'request_changes'", rule(str(P('decision'), 'request_changes'))],
  ["decision == 'approve'", rule(str(P('decision'), 'approve'))],
  ["confidence < 0.85 or status != 'success'", rule({ Or: [num(P('confidence'), 'NumericLessThan', 0.85), { Not: str(P('status'), 'success') }] })],
  ["ci_result == 'pass'", rule(str(P('ci_result'), 'pass'))],
  ["ci_result == 'fail'", rule(str(P('ci_result'), 'fail'))],
  ["category == 'urgent'", rule(str(P('category'), 'urgent'))],
  ["category == 'spam'", rule(str(P('category'), 'spam'))],
  ["category == 'routine' OR category == 'sales'", rule({ Or: [str(P('category'), 'routine'), str(P('category'), 'sales')] })],
  ['approval_gate == true', rule(bool(P('approval_gate'), true))],
  ['risk_score >= 5', rule(num(P('risk_score'), 'NumericGreaterThanEquals', 5))],
  ['risk_score < 5', rule(num(P('risk_score'), 'NumericLessThan', 5))],
  ['quality_score < 0.8', rule(num(P('quality_score'), 'NumericLessThan', 0.8))],
  ['confidence < 0.7', rule(num(P('confidence'), 'NumericLessThan', 0.7))],
  ['comparison_verdict.passed == true', rule(bool('$.outputs.comparison_verdict.passed', true))],
  ['comparison_verdict.passed == false', rule(bool('$.outputs.comparison_verdict.passed', false))],
  ["check_status.status == 'succeeded'", rule(str('$.outputs.check_status.status', 'succeeded'))],
  ["category == 'technical'", rule(str(P('category'), 'technical'))],
  ["category == 'support'", rule(str(P('category'), 'support'))],
  ["category == 'sales'", rule(str(P('category'), 'sales'))],
  ["approval_decision == 'rework'", rule(str(P('approval_decision'), 'rework'))],
];

describe('real corpus conditions', () => {
  it.each(CORPUS)('%s', (text, expected) => {
    expect(lower(text, plainResolver)).toEqual(expected);
  });

  (fs.existsSync(CORPUS_DIR) ? it : it.skip)('the table covers every condition in the corpus', () => {
    const table = new Set(CORPUS.map(([t]) => t));
    const missing = [...corpusConditions()].filter(([t]) => !table.has(t)).map(([t, file]) => `${t} (${file})`);
    expect(missing).toEqual([]);
  });
});

describe('lowering: comparisons with literals', () => {
  it.each<[string, ChoiceRule]>([
    ["x == 'str'", str(P('x'), 'str')],
    ['x == "double quoted"', str(P('x'), 'double quoted')],
    ['x == 3', { Variable: P('x'), NumericEquals: 3 }],
    ['x == 2.5', { Variable: P('x'), NumericEquals: 2.5 }],
    ['x == -4', { Variable: P('x'), NumericEquals: -4 }],
    ['x == 7u', { Variable: P('x'), NumericEquals: 7 }],
    ['x == 0x1F', { Variable: P('x'), NumericEquals: 31 }],
    ['x == 1e3', { Variable: P('x'), NumericEquals: 1000 }],
    ['x == true', bool(P('x'), true)],
    ['x == false', bool(P('x'), false)],
    ['x == null', { Variable: P('x'), IsNull: true }],
    ['x != null', { Not: { Variable: P('x'), IsNull: true } }],
    ["x != 'a'", { Not: str(P('x'), 'a') }],
    ['x != 3', { Not: { Variable: P('x'), NumericEquals: 3 } }],
    ['x < 3', num(P('x'), 'NumericLessThan', 3)],
    ['x <= 3', num(P('x'), 'NumericLessThanEquals', 3)],
    ['x > 3', num(P('x'), 'NumericGreaterThan', 3)],
    ['x >= 3', num(P('x'), 'NumericGreaterThanEquals', 3)],
    ["x < 'm'", { And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringLessThan: 'm' }] }],
    ["x >= 'm'", { And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringGreaterThanEquals: 'm' }] }],
    // A literal on the left is flipped.
    ["'a' == x", str(P('x'), 'a')],
    ['3 < x', num(P('x'), 'NumericGreaterThan', 3)],
    ['3 >= x', num(P('x'), 'NumericLessThanEquals', 3)],
    ['null == x', { Variable: P('x'), IsNull: true }],
    // String escapes are decoded.
    ["x == 'it\\'s \\u00e9\\n'", str(P('x'), "it's é\n")],
    ["x == r'\\d+'", str(P('x'), '\\d+')],
  ])('%s', (text, expected) => {
    expect(lower(text)).toEqual(rule(expected));
  });
});

describe('lowering: references', () => {
  it.each<[string, ChoiceRule]>([
    ["inputs.env == 'prod'", str('$.input.env', 'prod')],
    ["inputs.deploy.region == 'eu'", str('$.input.deploy.region', 'eu')],
    ["outputs.create-intent.status == 'ok'", str('$.outputs.create-intent.status', 'ok')],
    ["create-intent.status == 'ok'", str('$.outputs.create-intent.status', 'ok')],
    ["outputs['create-intent'].status == 'ok'", str('$.outputs.create-intent.status', 'ok')],
    ["node.items[0] == 'a'", str('$.outputs.node.items[0]', 'a')],
    ["node.data['a key'] == 'a'", str("$.outputs.node.data['a key']", 'a')],
    ["node['count'] == 2", { Variable: '$.outputs.node.count', NumericEquals: 2 }],
    ['outputs.node.count == 2', { Variable: '$.outputs.node.count', NumericEquals: 2 }],
    ['inputs.length == 2', { Variable: '$.input.length', NumericEquals: 2 }],
    ["metadata.run_id == 'r1'", str('$$.Execution.Name', 'r1')],
    ["loop.item.name == 'a'", str('$.loop.item.name', 'a')],
    ['approved', bool(P('approved'), true)],
    ['!approved', { Not: bool(P('approved'), true) }],
    ['NOT approved', { Not: bool(P('approved'), true) }],
    ['!!approved', bool(P('approved'), true)],
    ['has(node.field)', { And: [{ Variable: '$.outputs.node.field', IsPresent: true }, { Not: { Variable: '$.outputs.node.field', IsNull: true } }] }],
    ['has(inputs.x)', { And: [{ Variable: '$.input.x', IsPresent: true }, { Not: { Variable: '$.input.x', IsNull: true } }] }],
    ['!has(node.field)', { Not: { And: [{ Variable: '$.outputs.node.field', IsPresent: true }, { Not: { Variable: '$.outputs.node.field', IsNull: true } }] } }],
  ])('%s', (text, expected) => {
    expect(lower(text)).toEqual(rule(expected));
  });
});

describe('lowering: field against field', () => {
  it.each<[string, ChoiceRule]>([
    ['a == b', untypedEq(P('a'), P('b'))],
    ['a != b', { Not: untypedEq(P('a'), P('b')) }],
    [
      'str_a == str_b',
      {
        Or: [
          { And: [{ Variable: P('str_a'), IsString: true }, { Variable: P('str_b'), IsString: true }, { Variable: P('str_a'), StringEqualsPath: P('str_b') }] },
          { And: [{ Variable: P('str_a'), IsNull: true }, { Variable: P('str_b'), IsNull: true }] },
        ],
      },
    ],
    [
      'a < b',
      {
        Or: [
          { And: [{ Variable: P('a'), IsNumeric: true }, { Variable: P('b'), IsNumeric: true }, { Variable: P('a'), NumericLessThanPath: P('b') }] },
          { And: [{ Variable: P('a'), IsString: true }, { Variable: P('b'), IsString: true }, { Variable: P('a'), StringLessThanPath: P('b') }] },
        ],
      },
    ],
    ['num_a >= b', { And: [{ Variable: P('num_a'), IsNumeric: true }, { Variable: P('b'), IsNumeric: true }, { Variable: P('num_a'), NumericGreaterThanEqualsPath: P('b') }] }],
    ['str_a > str_b', { And: [{ Variable: P('str_a'), IsString: true }, { Variable: P('str_b'), IsString: true }, { Variable: P('str_a'), StringGreaterThanPath: P('str_b') }] }],
    [
      'maybe_num_a < num_b',
      { And: [{ Variable: P('maybe_num_a'), IsPresent: true }, { Variable: P('maybe_num_a'), IsNumeric: true }, { Variable: P('num_b'), IsNumeric: true }, { Variable: P('maybe_num_a'), NumericLessThanPath: P('num_b') }] },
    ],
  ])('%s', (text, expected) => {
    expect(lower(text)).toEqual(rule(expected));
  });
});

describe('lowering: logic, in, string tests', () => {
  it.each<[string, LoweredCondition]>([
    ["a == 'x' && b == 'y' && c == 'z'", rule({ And: [str(P('a'), 'x'), str(P('b'), 'y'), str(P('c'), 'z')] })],
    ["a == 'x' && (b == 'y' && c == 'z')", rule({ And: [str(P('a'), 'x'), str(P('b'), 'y'), str(P('c'), 'z')] })],
    ["a == 'x' || b == 'y' || c == 'z'", rule({ Or: [str(P('a'), 'x'), str(P('b'), 'y'), str(P('c'), 'z')] })],
    ["a == 'x' && (b == 'y' || c == 'z')", rule({ And: [str(P('a'), 'x'), { Or: [str(P('b'), 'y'), str(P('c'), 'z')] }] })],
    ["a == 'x' and b == 'y' or c == 'z'", rule({ Or: [{ And: [str(P('a'), 'x'), str(P('b'), 'y')] }, str(P('c'), 'z')] })],
    ["!(a == 'x')", rule({ Not: str(P('a'), 'x') })],
    ["!(a != 'x')", rule(str(P('a'), 'x'))],
    ["x in ['a', 'b']", rule({ Or: [str(P('x'), 'a'), str(P('x'), 'b')] })],
    ["x in ['a', 'a', 1]", rule({ Or: [str(P('x'), 'a'), { Variable: P('x'), NumericEquals: 1 }] })],
    ["x in ['a']", rule(str(P('x'), 'a'))],
    ['x in []', { kind: 'constant', value: false }],
    ['x in [null, 1]', rule({ Or: [{ Variable: P('x'), IsNull: true }, { Variable: P('x'), NumericEquals: 1 }] })],
    ["'a' in [x, y]", rule({ Or: [str(P('x'), 'a'), str(P('y'), 'a')] })],
    ["'a' in ['a', 'b']", { kind: 'constant', value: true }],
    ["x.startsWith('ab')", rule({ And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringMatches: 'ab*' }] })],
    ["x.endsWith('.yaml')", rule({ And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringMatches: '*.yaml' }] })],
    ["x.contains('a*b\\\\c')", rule({ And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringMatches: '*a\\*b\\\\c*' }] })],
    ["x contains 'err'", rule({ And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringMatches: '*err*' }] })],
    ["x.startsWith('')", rule({ And: [{ Variable: P('x'), IsString: true }, { Variable: P('x'), StringMatches: '*' }] })],
    ['(a > 1) == true', rule(num(P('a'), 'NumericGreaterThan', 1))],
    ['(a > 1) != true', rule({ Not: num(P('a'), 'NumericGreaterThan', 1) })],
    ['false == (a > 1)', rule({ Not: num(P('a'), 'NumericGreaterThan', 1) })],
    ['approved == (a > 1)', rule({ Or: [{ And: [bool(P('approved'), true), ...num(P('a'), 'NumericGreaterThan', 1).And] }, { And: [{ Not: bool(P('approved'), true) }, { Not: num(P('a'), 'NumericGreaterThan', 1) }] }] })],
  ])('%s', (text, expected) => {
    expect(lower(text)).toEqual(expected);
  });
});

describe('lowering: constants', () => {
  it.each<[string, boolean]>([
    ['true', true],
    ['false', false],
    ['!false', true],
    ['1 < 2', true],
    ['2.5 >= 3', false],
    ['1 == 1.0', true],
    ["'a' < 'b'", true],
    ["'é' > 'z'", true],
    ["'\\uffff' < '\\U0001F600'", true],
    ["'a' != 'a'", false],
    ['null == null', true],
    ['false < true', true],
    ["x == 'a' || true", true],
    ["x == 'a' && false", false],
    ["true && x == 'a' || true", true],
  ])('%s -> %s', (text, value) => {
    expect(lower(text)).toEqual({ kind: 'constant', value });
  });

  it('drops constant parts of And/Or', () => {
    expect(lower("true && x == 'a'")).toEqual(rule(str(P('x'), 'a')));
    expect(lower("false || x == 'a'")).toEqual(rule(str(P('x'), 'a')));
  });
});

describe('lowering: values that may be absent (absent behaves like null)', () => {
  const present = (v: string) => ({ Variable: v, IsPresent: true });
  const x = P('maybe_x');
  it.each<[string, ChoiceRule]>([
    ["maybe_x == 'a'", { And: [present(x), str(x, 'a')] }],
    ["maybe_x != 'a'", { Not: { And: [present(x), str(x, 'a')] } }],
    ['maybe_x < 3', { And: [present(x), { Variable: x, IsNumeric: true }, { Variable: x, NumericLessThan: 3 }] }],
    ['maybe_x == null', { Or: [{ Not: present(x) }, { Variable: x, IsNull: true }] }],
    ['maybe_x != null', { Not: { Or: [{ Not: present(x) }, { Variable: x, IsNull: true }] } }],
    ['maybe_x', { And: [present(x), bool(x, true)] }],
    ["maybe_x.startsWith('a')", { And: [present(x), { Variable: x, IsString: true }, { Variable: x, StringMatches: 'a*' }] }],
    ["maybe_x in ['a', 'b']", { And: [present(x), { Or: [str(x, 'a'), str(x, 'b')] }] }],
    ['has(node.maybe_x)', { And: [{ Variable: '$.outputs.node.maybe_x', IsPresent: true }, { Not: { Variable: '$.outputs.node.maybe_x', IsNull: true } }] }],
    [
      'maybe_x == maybe_y',
      {
        Or: [
          { And: [present(x), present(P('maybe_y')), { Variable: x, IsString: true }, { Variable: P('maybe_y'), IsString: true }, { Variable: x, StringEqualsPath: P('maybe_y') }] },
          { And: [present(x), present(P('maybe_y')), { Variable: x, IsNumeric: true }, { Variable: P('maybe_y'), IsNumeric: true }, { Variable: x, NumericEqualsPath: P('maybe_y') }] },
          { And: [present(x), present(P('maybe_y')), { Variable: x, IsBoolean: true }, { Variable: P('maybe_y'), IsBoolean: true }, { Variable: x, BooleanEqualsPath: P('maybe_y') }] },
          { And: [{ Or: [{ Not: present(x) }, { Variable: x, IsNull: true }] }, { Or: [{ Not: present(P('maybe_y')) }, { Variable: P('maybe_y'), IsNull: true }] }] },
        ],
      },
    ],
  ])('%s', (text, expected) => {
    expect(lower(text)).toEqual(rule(expected));
  });
});

describe('lowering: what Choice rules cannot express', () => {
  it.each<[string, string, string]>([
    // [condition, message fragment, the text the error points at]
    ['a / b > 1', "cannot compute arithmetic ('/')", 'a / b'],
    ['x + 1 == 2', "arithmetic ('+')", 'x + 1'],
    ['-x < 3', "unary '-'", '-x'],
    ['total-fees > 0', "reads 'total-fees' as a subtraction", 'total-fees'],
    ['items.length > 0', 'cannot compute the size of a list; expose the count as an output', 'items.length'],
    ['node.items.count == 0', 'size of a list', 'node.items.count'],
    ['size(node.items) > 0', 'size of a list', 'size(node.items)'],
    ['node.items.size() == 0', 'size of a list', 'node.items.size()'],
    ["x.matches('^v[0-9]+')", 'no regular expressions', "x.matches('^v[0-9]+')"],
    ['node.items.exists(t, t == 1)', "cannot iterate over a list ('exists')", 'node.items.exists(t, t == 1)'],
    ['int(x) == 1', "cannot convert values ('int()')", 'int(x)'],
    ["status('build') == 'success'", "'status()' is not available", "status('build')"],
    ['attempt() <= 3', "'attempt()' is not available", 'attempt()'],
    ['foo(x)', "'foo()' cannot be expressed", 'foo(x)'],
    ["x ? y : z", "no conditional expression", 'x ? y : z'],
    ["'a' == 1", 'compares a text (\'a\') with a number (1)', "'a' == 1"],
    ["'a' < null", 'compares a text', "'a' < null"],
    ['null < null', 'null cannot be ordered', 'null < null'],
    ['x < null', 'null cannot be ordered', 'x < null'],
    ['x < true', 'cannot order true/false', 'x < true'],
    ['flag_a < flag_b', 'cannot order true/false', 'flag_a < flag_b'],
    ['[1, 2] == x', "A list can only appear after 'in'", '[1, 2]'],
    ["{'a': 1} == x", 'cannot compare maps', "{'a': 1}"],
    ['x in y', 'cannot search a list held in data', 'y'],
    ["x in 'abc'", "'in' needs a list", "'abc'"],
    ["x.startsWith(y)", 'must be a text literal', 'y'],
    ['x.startsWith(1)', 'must be a text literal', '1'],
    ["'abc'.startsWith('a')", 'can only be applied to an input or an output', "'abc'"],
    ["num_x.startsWith('a')", "'num_x' is a number; startsWith() applies to text", 'num_x'],
    ["num_x == 'a'", "'num_x' is a number but is compared with a text", "num_x == 'a'"],
    ['str_x == 3', "'str_x' is a text but is compared with a number", 'str_x == 3'],
    ['str_x', "'str_x' is a text, not true or false", 'str_x'],
    ['num_x && true', "'num_x' is a number", 'num_x'],
    ["'yes'", "A condition must be true or false; 'yes' is a text", "'yes'"],
    ['1', 'is a number', '1'],
    ['num_a == str_b', "compares 'num_a' (a number) with 'str_b' (a text)", 'num_a == str_b'],
    ["x == b'ab'", 'Bytes values are not supported', "b'ab'"],
    ['x == 9007199254740993', 'too large to compare exactly', '9007199254740993'],
    ['(a || b).c == 1', 'only read fields of inputs and outputs', '(a || b).c'],
    ['f(x)[0] == 1', "only read fields", 'f(x)[0]'],
    ['node.items[i] == 1', 'only read fields', 'node.items[i]'],
    ["(x > 1) < true", 'cannot order true/false', '(x > 1) < true'],
    ["(x > 1) == 'a'", "compares a condition with a text", "(x > 1) == 'a'"],
    ["unknown_x == 'a'", "'unknown_x' is not declared.", 'unknown_x'],
    ["x == 'a' && unknown_y", "'unknown_y' is not declared.", 'unknown_y'],
  ])('%s', (text, fragment, at) => {
    const got = lower(text);
    expect(got).toMatchObject({ error: expect.stringContaining(fragment) });
    expect((got as { at: string }).at).toBe(at);
  });

  it('offers the bracket spelling for a field named length or count', () => {
    expect(lower('node.items.count == 0')).toMatchObject({ hint: "If 'count' is a field, write node.items['count']." });
  });

  it('never builds a rule when one part cannot be lowered, even a part that a constant makes irrelevant', () => {
    expect(lower('false && size(x) > 0')).toMatchObject({ error: expect.stringContaining('size of a list') });
  });
});

describe('lowerSwitchCase', () => {
  const subject = (text: string) => {
    const p = parseCondition(text);
    if (!p.ok) throw new Error(p.error.message);
    return p.value;
  };
  it('compares the subject with each case value', () => {
    const s = subject('outputs.classify_intent.intent');
    expect(lowerSwitchCase(s, 'billing', plainResolver)).toEqual(rule(str('$.outputs.classify_intent.intent', 'billing')));
    expect(lowerSwitchCase(s, 3, plainResolver)).toEqual(rule({ Variable: '$.outputs.classify_intent.intent', NumericEquals: 3 }));
    expect(lowerSwitchCase(s, true, plainResolver)).toEqual(rule(bool('$.outputs.classify_intent.intent', true)));
    expect(lowerSwitchCase(s, null, plainResolver)).toEqual(rule({ Variable: '$.outputs.classify_intent.intent', IsNull: true }));
  });
  it('needs a single reference as the subject', () => {
    expect(lowerSwitchCase(subject("a == 'b'"), 'x', plainResolver)).toMatchObject({ message: expect.stringContaining('single input or output') });
  });
});

it('lowers a long flat chain into one Or', () => {
  const text = Array.from({ length: 400 }, (_, i) => `v${i} == ${i}`).join(' || ');
  const l = lower(text);
  expect(l).toMatchObject({ kind: 'rule' });
  expect(((l as { rule: ChoiceRule }).rule.Or as unknown[]).length).toBe(400);
});
