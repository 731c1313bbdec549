import { parse as celParse } from '@bufbuild/cel';
import fc from 'fast-check';
import { parseCondition, type CondExpr, type DialectNote, type Reference, type Span } from '../../lib/expressions';

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
    ['a ? b ? c : d : e', "Expected ':' between the branches of '? :', found '?'", '?'],
    ['!-a', "Expected a value after '!', found '-'", '-'],
    ['x in_stock', "Found the name 'in_stock' after a complete expression", 'in_stock'],
    ['a.true == 1', "'true' is a reserved word and cannot be a field name", 'true'],
    ['(a]', "'(' is not closed: expected ')' to close the parenthesis, found ']'", ']'],
    ['f(a,)', "Expected a value after ',', found ')'", ')'],
    // Refused by @bufbuild/cel alone (CEL reads it as -(3u)): its error, placed on the token.
    ['-3u == x', 'This is not valid CEL: the number 3u is not expected here', '3u'],
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

describe('what @bufbuild/cel misreads is given to it in a form it reads', () => {
  it.each<[string, string]>([
    // Names that begin with a keyword: the library reads `true_count` as `true _count`.
    ['true_count > 0', 'true_count > 0'],
    ['x == false_alarm || nullable', 'x == false_alarm || nullable'],
    ['f(true_x)', 'f(true_x)'],
    // CEL's reserved words as names: `loop` is an OSOP namespace.
    ['loop.item == 1', 'loop.item == 1'],
    ['if(x)', 'if(x)'],
    // Spaces between repeated prefix operators and in an empty argument list.
    ['! !approved', '!!approved'],
    ['NOT NOT approved', '!!approved'],
    ['x.size( ) == 0', 'size(x) == 0'],
    // A comment at the end, without a line break.
    ['a == 1 // why', 'a == 1'],
  ])('%s', (text, cel) => {
    expect(ok(text).value.cel).toBe(cel);
  });
});

describe('the tree: extents and shape', () => {
  const span = (text: string, pick: (e: CondExpr) => CondExpr = (e) => e) => at(text, pick(ok(text).value.expr).span);
  const left = (e: CondExpr) => (e as { left: CondExpr }).left;
  const operand = (e: CondExpr) => (e as { operand: CondExpr }).operand;
  it('spans binary operators from the left operand to the right one (the library records the operator)', () => {
    expect(span("  a.b   ==  'x'  ")).toBe("a.b   ==  'x'");
    expect(span('(a) == 1 && b', left)).toBe('(a) == 1');
    expect(span('(a) == 1 && b', (e) => left(left(e)))).toBe('(a)');
  });
  it('covers the parentheses, and the prefix operators the library folds away', () => {
    // @bufbuild/cel reads `!!a` as `a` and `!(!a)` as `a`; the tree keeps what was written.
    expect(ok('!!a').value.cel).toBe('!!a');
    expect(span('!(!a)')).toBe('!(!a)');
    expect(span('!(!a)', operand)).toBe('(!a)');
    expect(span('x && !!(a)', (e) => operand(operand((e as { right: CondExpr }).right)))).toBe('(a)');
    expect(ok('--3').value.expr).toMatchObject({ kind: 'literal', value: 3 });
    expect(ok('- 3').value.expr).toMatchObject({ kind: 'literal', value: -3, span: { offset: 0, length: 3 } });
    // A prefix operator before a selection applies to all of it.
    expect(ok('!!a.b').value.expr).toMatchObject({ kind: 'not', operand: { kind: 'not', operand: { kind: 'ref', root: 'a' } } });
  });
  it('nests && and || chains to the left as written, keeping parenthesised groups (the library balances them)', () => {
    expect(ok('a && b && c && d').value.expr).toMatchObject({ kind: 'and', left: { kind: 'and', left: { kind: 'and' } }, right: { kind: 'ref', root: 'd' } });
    expect(ok('a && (b && c) && d').value.cel).toBe('a && (b && c) && d');
    expect(ok('(a || b) || c').value.cel).toBe('a || b || c');
  });
  it('reads a parenthesised name followed by a path as the reference (it is the same CEL)', () => {
    expect(ok('(a).b == 1').value.references).toEqual([{ kind: 'output', node: 'a', path: ['b'], span: { offset: 0, length: 5 } }]);
    expect(ok('(a.b)[0] == 1').value.cel).toBe('a.b[0] == 1');
  });
  it('keeps macros as the calls written, with their references', () => {
    const p = ok('node.items.exists(t, t == x)');
    expect(p.value.expr).toMatchObject({ kind: 'call', name: 'exists', target: { kind: 'ref' }, args: [{ kind: 'ref' }, { kind: 'compare' }] });
    expect(p.value.references.map((r) => at(p.value.text, r.span))).toEqual(['node.items', 't', 't', 'x']);
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

type CelExpr = ReturnType<typeof celParse>['expr'];
type SourceInfo = NonNullable<ReturnType<typeof celParse>['sourceInfo']>;

/**
 * A @bufbuild/cel tree without ids and positions, with `-_` on a number folded
 * into the negative literal and `x.size()` written as `size(x)` (CondExpr keeps
 * one size node).
 */
function shape(e: CelExpr, info: SourceInfo): unknown {
  const s = (x: CelExpr) => shape(x, info);
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr':
      return k.value.name;
    case 'constExpr': {
      const c = k.value.constantKind;
      return [c.case, typeof c.value === 'bigint' ? String(c.value) : c.value];
    }
    case 'selectExpr':
      return ['.', s(k.value.operand!), k.value.field, k.value.testOnly];
    case 'callExpr': {
      const { function: f, target, args } = k.value;
      const arg = args[0]?.exprKind;
      if (f === '-_' && arg?.case === 'constExpr' && (arg.value.constantKind.case === 'int64Value' || arg.value.constantKind.case === 'doubleValue')) {
        const v = arg.value.constantKind.value;
        return [arg.value.constantKind.case, typeof v === 'bigint' ? String(-v) : -v];
      }
      if (f === 'size' && target && args.length === 0) return ['size', [s(target)]];
      return [f, target ? s(target) : null, args.map(s)];
    }
    case 'listExpr':
      return ['list', k.value.elements.map(s)];
    default:
      return [k.case, info.macroCalls[String(e.id)] ? 'macro' : null];
  }
}

describe('property: @bufbuild/cel is the parser; the tree and the canonical spelling are faithful to it', () => {
  // Tokens joined by spaces.
  const tokens = ['a', 'b.c', 'x', '1', '2.5', '3u', "'s'", '"t"', 'true', 'null', '==', '!=', '<', '>=', '&&', '||', '!', '-', '+', '*', '/', '%', '(', ')', '[', ']', ',', '.', '?', ':', 'in', 'size', 'f', 'e.f(g)', 'h[0]'];
  it('accepts what the library accepts, and spells it as CEL that the library reads as the same tree', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 8 }), (ts) => {
        const text = ts.join(' ');
        const ours = parseCondition(text);
        let tree: ReturnType<typeof celParse> | null = null;
        try {
          tree = celParse(text);
        } catch {
          // refused: so are we (the dialect step only mends spaces the library does not read)
        }
        if (tree && !ours.ok) expect(ours.error.message).toContain("leading '.'");
        if (!ours.ok) return;
        const again = celParse(ours.value.cel);
        if (tree) expect(shape(again.expr, again.sourceInfo!)).toEqual(shape(tree.expr, tree.sourceInfo!));
      }),
      { numRuns: 3000 },
    );
  });

  const DIALECT = [...tokens, 'AND', 'or', 'NOT', 'contains', 'create-intent.x', 'n.error-code', 'loop.v', 'true_x', 'has(a.b)', 'x.exists(t, t)', '!!', '- -', '(a)'];
  const children = (e: CondExpr): CondExpr[] => {
    switch (e.kind) {
      case 'list':
        return e.items;
      case 'not':
      case 'negate':
      case 'size':
      case 'select':
        return [e.operand];
      case 'and':
      case 'or':
      case 'compare':
      case 'in':
      case 'arith':
        return [e.left, e.right];
      case 'ternary':
        return [e.test, e.then, e.else];
      case 'has':
        return [e.target];
      case 'call':
        return [...(e.target ? [e.target] : []), ...e.args];
      case 'index':
        return [e.operand, e.index];
      default:
        return [];
    }
  };
  const balanced = (s: string) => {
    let depth = 0;
    for (const c of s.replace(/'[^']*'|"[^"]*"/g, '')) {
      depth += '([{'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0;
      if (depth < 0) return false;
    }
    return depth === 0;
  };
  it('never throws; every span is balanced text inside its parent, and the spelling is stable', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...DIALECT), fc.constantFrom(' ', '')), { minLength: 1, maxLength: 9 }), (ts) => {
        const text = ts.map(([t, sep]) => t + sep).join('');
        const p = parseCondition(text);
        if (!p.ok) {
          expect(p.error.span.offset + p.error.span.length).toBeLessThanOrEqual(text.length);
          return;
        }
        const walk = (e: CondExpr, parent: CondExpr | null) => {
          expect(balanced(at(text, e.span))).toBe(true);
          if (parent) {
            expect(e.span.offset).toBeGreaterThanOrEqual(parent.span.offset);
            expect(e.span.offset + e.span.length).toBeLessThanOrEqual(parent.span.offset + parent.span.length);
          }
          children(e).forEach((c) => walk(c, e));
        };
        walk(p.value.expr, null);
        expect(ok(p.value.cel).value.cel).toBe(p.value.cel);
      }),
      { numRuns: 2000 },
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
