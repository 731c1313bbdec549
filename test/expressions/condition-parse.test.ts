import { parse as celParse } from '@bufbuild/cel';
import fc from 'fast-check';
import { parseCondition, type DialectNote, type Reference, type Span } from '../../lib/expressions';

const at = (text: string, s: Span) => text.slice(s.offset, s.offset + s.length);

function ok(text: string) {
  const p = parseCondition(text);
  if (!p.ok) throw new Error(`unexpected parse error: ${p.error.message}`);
  return p;
}

describe('dialect spellings', () => {
  it.each<[string, string, [string, string][]]>([
    // [text, canonical CEL, [noted text, CEL spelling]...]
    ["status == 'failed' AND retry_count < 3", "status == 'failed' && retry_count < 3", [['AND', '&&']]],
    ['a and b', 'a && b', [['and', '&&']]],
    ["category == 'routine' OR category == 'sales'", "category == 'routine' || category == 'sales'", [['OR', '||']]],
    ["confidence < 0.85 or status != 'success'", "confidence < 0.85 || status != 'success'", [['or', '||']]],
    ['NOT approved', '!approved', [['NOT', '!']]],
    ['not (a || b)', '!(a || b)', [['not', '!']]],
    ["title contains 'urgent'", "title.contains('urgent')", [["title contains 'urgent'", "title.contains('urgent')"]]],
    ["a.b contains 'x' AND NOT c", "a.b.contains('x') && !c", [["a.b contains 'x'", "a.b.contains('x')"], ['AND', '&&'], ['NOT', '!']]],
    ["outputs.create-intent.status == 'ok'", "outputs['create-intent'].status == 'ok'", [['.create-intent', "['create-intent']"]]],
    ["create-intent.status == 'ok'", "outputs['create-intent'].status == 'ok'", [['create-intent', "outputs['create-intent']"]]],
    ["send-receipt.result.error-code == 'x'", "outputs['send-receipt'].result['error-code'] == 'x'", [['send-receipt', "outputs['send-receipt']"], ['.error-code', "['error-code']"]]],
    ['  otherwise ', 'true', [['otherwise', 'true']]],
    ['Otherwise', 'true', [['Otherwise', 'true']]],
  ])('%s', (text, cel, expected) => {
    const p = ok(text);
    expect(p.value.cel).toBe(cel);
    expect(p.notes.map((n: DialectNote) => [at(text, n.span), n.celSpelling])).toEqual(expected);
    // The canonical spelling is valid CEL.
    expect(() => celParse(p.value.cel)).not.toThrow();
  });

  it('marks otherwise as the default branch', () => {
    const p = ok('otherwise');
    expect(p.value.isOtherwise).toBe(true);
    expect(p.value.references).toEqual([]);
    expect(ok('otherwise_flag').value.isOtherwise).toBe(false);
  });

  it('keeps names that only look like dialect words', () => {
    expect(ok('not == 1').value.cel).toBe('not == 1');
    expect(ok('and').value.references).toEqual([expect.objectContaining({ kind: 'output', node: null, path: ['and'] })]);
    expect(ok('contains').notes).toEqual([]);
    expect(ok("x.contains('a')").notes).toEqual([]);
  });

  it('keeps a subtraction of bare names a subtraction (no path follows)', () => {
    const p = ok('total-fees > 0');
    expect(p.value.expr.kind).toBe('compare');
    expect(p.notes).toEqual([]);
    expect(ok('a - b.c > 0').value.cel).toBe('a - b.c > 0');
  });
});

describe('references', () => {
  const refs = (text: string) => ok(text).value.references.map((r: Reference) => ({ ...r, at: at(text, r.span), span: undefined }));
  it.each<[string, object[]]>([
    ['inputs.x.y == 1', [{ kind: 'input', path: ['x', 'y'], at: 'inputs.x.y' }]],
    ['outputs.node.field.sub', [{ kind: 'output', node: 'node', path: ['field', 'sub'], at: 'outputs.node.field.sub' }]],
    ['node.field', [{ kind: 'output', node: 'node', path: ['field'], at: 'node.field' }]],
    ['status', [{ kind: 'output', node: null, path: ['status'], at: 'status' }]],
    ["a.b[0]['k'] == 1", [{ kind: 'output', node: 'a', path: ['b', '0', 'k'], at: "a.b[0]['k']" }]],
    ["metadata.run_id == ''", [{ kind: 'metadata', name: 'run_id', at: 'metadata.run_id' }]],
    ['env.FLAG', [{ kind: 'env', name: 'FLAG', at: 'env.FLAG' }]],
    ['loop.item.x', [{ kind: 'loop', path: ['item', 'x'], at: 'loop.item.x' }]],
    [
      'result != success',
      [
        { kind: 'output', node: null, path: ['result'], at: 'result' },
        { kind: 'output', node: null, path: ['success'], at: 'success' },
      ],
    ],
    ['has(a.b) && x.startsWith(y.z)', [
      { kind: 'output', node: 'a', path: ['b'], at: 'a.b' },
      { kind: 'output', node: null, path: ['x'], at: 'x' },
      { kind: 'output', node: 'y', path: ['z'], at: 'y.z' },
    ]],
    ['items.length > 0', [{ kind: 'output', node: null, path: ['items'], at: 'items' }]],
    ['inputs.count > 0', [{ kind: 'input', path: ['count'], at: 'inputs.count' }]],
  ])('%s', (text, expected) => {
    expect(refs(text)).toEqual(expected.map((e) => ({ ...e, span: undefined })));
  });
});

describe('errors', () => {
  it.each<[string, string, string]>([
    // [text, message fragment, the text the error points at]
    ['', 'The condition is empty', ''],
    ['   ', 'The condition is empty', '   '],
    ['a ==', "ends after '=='", '=='],
    ["a == 'x", 'no closing quote', "'x"],
    ["a == 'x\n' && b", 'no closing quote on its line', "'x"],
    ['a == (b', "'(' is not closed", '('],
    ['a == b)', "Unexpected ')'", ')'],
    ['a b', "Found the name 'b' after a complete expression", 'b'],
    ["status == success'", 'no closing quote', "'"],
    ['a = b', "'=' is not a comparison", '='],
    ['a & b', "'&' is not an operator", '&'],
    ['a | b', "'|' is not an operator", '|'],
    ['a &&& b', "'&' is not an operator", '&'],
    ['a && || b', "Expected a value after '&&', found '||'", '||'],
    ['x in [1, 2', "'[' is not closed", '['],
    ['f(a, b', "'(' is not closed", '('],
    ['a.', "Expected a field name after '.'", ''],
    ['a.1 == 2', 'Found the number .1 after a complete expression', '.1'],
    ["a == 'x\\q'", "'\\q' is not an escape sequence", '\\q'],
    ["a == '\\u12'", "'\\u' needs 4 hexadecimal digits", "\\u12'"],
    ["a == '\\ud800'", 'is not a Unicode character', '\\ud800'],
    ['a == 1e', 'cannot end with an exponent', '1e'],
    ['a == 12abc', "'12abc' is not a number or a name", '12abc'],
    ['a == 99999999999999999999', 'too large', '99999999999999999999'],
    ['a == 1e400', 'too large', '1e400'],
    ['a # b', "Unexpected character '#'", '#'],
    ["secrets.STRIPE_KEY == 'x'", 'Secrets cannot be used in conditions', 'secrets.STRIPE_KEY'],
    ["x == 'a' || secrets.K != ''", 'Secrets cannot be used in conditions', 'secrets.K'],
    ['inputs == 1', "'inputs' needs the name of an input", 'inputs'],
    ['outputs > 1', "'outputs' needs a node", 'outputs'],
    ['metadata.a.b == 1', 'Metadata values have no fields', 'metadata.a.b'],
    ['has(x)', 'has() takes one field selection', 'x'],
    ["has(a['b'])", 'has() takes one field selection', "a['b']"],
    ['x in', "ends after 'in'", 'in'],
    ['in == 1', "'in' is an operator", 'in'],
    ['.a == 1', "leading '.'", '.'],
    ['a{b: 1}', 'Message construction', '{'],
    ['a ? b', "Expected ':'", ''],
  ])('%j', (text, fragment, where) => {
    const p = parseCondition(text);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.error.message).toContain(fragment);
    expect(at(text, p.error.span)).toBe(where);
    expect(p.error.span.offset + p.error.span.length).toBeLessThanOrEqual(text.length);
  });

  it('points into the original text after dialect words', () => {
    const text = "a == 'x' AND b ==";
    const p = parseCondition(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.span).toEqual({ offset: 15, length: 2 });
  });
});

describe('canonical CEL spelling', () => {
  it.each([
    'a == 1 && (b == 2 || c == 3)',
    '!(a && b) || !c',
    "x in ['a', \"b\"] && y.startsWith('p')",
    'a.b[0]["k"] >= -2.5',
    "has(a.b) && size(x) == 1u && 'it\\'s' != x",
    '(a > 1) == (b < 2)',
    '-x < 3 && a - (b - c) > 0 && a * b % c == 1',
    'a ? b : c ? d : e',
    "x == '\\n\\t\\\\' || x == b'\\x00'",
  ])('%s reparses to the same tree', (text) => {
    const p = ok(text);
    const again = ok(p.value.cel);
    expect(again.value.cel).toBe(p.value.cel);
    expect(() => celParse(p.value.cel)).not.toThrow();
  });
});

describe('property: the parser agrees with @bufbuild/cel on plain CEL', () => {
  // Tokens joined by spaces (bufbuild's PEG does not munch identifiers: it reads `truex` as `true x`).
  const tokens = ['a', 'b.c', 'x', '1', '2.5', '3u', "'s'", '"t"', 'true', 'null', '==', '!=', '<', '>=', '&&', '||', '!', '-', '+', '*', '/', '%', '(', ')', '[', ']', ',', '.', '?', ':', 'in', 'size', 'f', 'e.f(g)', 'h[0]'];
  it('accepts what CEL accepts, and spells what it accepts in CEL', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 8 }), (ts) => {
        const text = ts.join(' ');
        const ours = parseCondition(text);
        let celAccepts = true;
        try {
          celParse(text);
        } catch {
          celAccepts = false;
        }
        if (celAccepts && !ours.ok) expect(ours.error.message).toContain("leading '.'");
        if (ours.ok) expect(() => celParse(ours.value.cel)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});

describe('limits', () => {
  it('refuses deep nesting and very long conditions with an error, not a stack overflow', () => {
    const deep = `${'('.repeat(100)}a${')'.repeat(100)}`;
    expect(parseCondition(deep)).toMatchObject({ ok: false, error: { message: expect.stringContaining('nested more than 64 levels') } });
    expect(parseCondition('!'.repeat(100) + 'a')).toMatchObject({ ok: false });
    const long = Array.from({ length: 600 }, (_, i) => `v${i} == ${i}`).join(' && ');
    expect(parseCondition(long)).toMatchObject({ ok: false, error: { message: expect.stringContaining('too long') } });
  });

  it('handles long flat chains', () => {
    const text = Array.from({ length: 400 }, (_, i) => `v${i} == ${i}`).join(' || ');
    const p = ok(text);
    expect(p.value.references).toHaveLength(400);
    expect(p.value.cel).toBe(text);
  });
});
