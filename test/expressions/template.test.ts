import fc from 'fast-check';
import {
  escapeIntrinsicString,
  escapeTemplateText,
  intrinsicStringArgument,
  jsonPathOf,
  lowerTemplate,
  parseTemplate,
  type ParsedTemplate,
  type Reference,
  type Resolver,
  type Span,
} from '../../lib/expressions';
import { passDefinition, runPass, validate } from './engine';
import { testResolver } from './resolver';

const at = (text: string, s: Span) => text.slice(s.offset, s.offset + s.length);

function parsed(text: string): ParsedTemplate {
  const p = parseTemplate(text);
  if (!p.ok) throw new Error(`parse: ${p.error.message}`);
  return p.value;
}

describe('parseTemplate', () => {
  it('splits text and references, with spans into the original text', () => {
    const text = 'Bearer ${secrets.STRIPE_SECRET_KEY} for ${ create_customer.customer_id }!';
    const t = parsed(text);
    expect(t.parts).toEqual([
      { kind: 'text', text: 'Bearer ' },
      { kind: 'ref', ref: { kind: 'secret', name: 'STRIPE_SECRET_KEY', span: expect.anything() }, raw: '${secrets.STRIPE_SECRET_KEY}' },
      { kind: 'text', text: ' for ' },
      { kind: 'ref', ref: { kind: 'output', node: 'create_customer', path: ['customer_id'], span: expect.anything() }, raw: '${ create_customer.customer_id }' },
      { kind: 'text', text: '!' },
    ]);
    expect(t.references.map((r) => at(text, r.span))).toEqual(['secrets.STRIPE_SECRET_KEY', 'create_customer.customer_id']);
  });

  it.each<[string, Record<string, unknown>]>([
    ['${inputs.date_range}', { kind: 'input', path: ['date_range'] }],
    ['${outputs.extract-sales.data}', { kind: 'output', node: 'extract-sales', path: ['data'] }],
    ['${create-intent.intent_id}', { kind: 'output', node: 'create-intent', path: ['intent_id'] }],
    ['${raw_documents}', { kind: 'output', node: null, path: ['raw_documents'] }],
    ['${metadata.run_id}', { kind: 'metadata', name: 'run_id' }],
    ['${env.DEPLOY_ENV}', { kind: 'env', name: 'DEPLOY_ENV' }],
    ['${loop.item.email}', { kind: 'loop', path: ['item', 'email'] }],
    ["${node.items[0]['a key']}", { kind: 'output', node: 'node', path: ['items', '0', 'a key'] }],
    ['${secrets.my-key}', { kind: 'secret', name: 'my-key' }],
  ])('%s', (text, ref) => {
    expect(parsed(text).references).toEqual([{ ...ref, span: expect.anything() }]);
  });

  it.each<[string, string]>([
    // `$$` before `{` is one `$`; other `$` are text.
    ['$${inputs.x}', '${inputs.x}'],
    ['cost: $5, $$ and $', 'cost: $5, $$ and $'],
    ['$${', '${'],
    ['$$${x}', '$'],
    ['$$$${x}', '$${x}'],
    ['{{var}} and {x}', '{{var}} and {x}'],
    ['\\${x}', '\\'],
    ['a}b', 'a}b'],
  ])('%j has the text %j', (text, expected) => {
    const t = parsed(text);
    expect(t.parts.filter((p) => p.kind === 'text').map((p) => (p as { text: string }).text).join('')).toBe(expected);
  });

  it('reads $$${x} as a dollar followed by a reference', () => {
    expect(parsed('$$${x}').parts).toEqual([{ kind: 'text', text: '$' }, { kind: 'ref', ref: expect.objectContaining({ path: ['x'] }), raw: '${x}' }]);
  });

  it.each<[string, string, string]>([
    // [template, message fragment, the text the error points at]
    ['a ${inputs.x', "'${' is not closed", '${inputs.x'],
    ['${}', 'Empty reference', '${}'],
    ['${  }', 'Empty reference', '${  }'],
    ['${ a b }', "A reference is a single dotted name; 'b' follows it", 'b '],
    ['${VAR:-default}', 'shell syntax', ':-default'],
    ['${VAR:=x}', 'shell syntax', ':=x'],
    ['${a.}', 'A name is missing here', ''],
    ['${a..b}', "Unexpected '.'", '.'],
    ['${1abc}', "Unexpected '1'", '1'],
    ['${a+b}', "Unexpected '+'", '+'],
    ['${a[x]}', 'An index is [0]', '[x]'],
    ['${a{b}}', "Unexpected '{'", '{'],
    ['${inputs}', "'inputs' needs the name of an input", 'inputs'],
    ['${secrets}', "'secrets' needs the name", 'secrets'],
    ['${secrets.a.b}', 'A secret is a single name', 'secrets.a.b'],
  ])('%j', (text, fragment, where) => {
    const p = parseTemplate(text);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.error.message).toContain(fragment);
    expect(at(text, p.error.span)).toBe(where);
  });

  it('suggests the escape for shell defaults', () => {
    const p = parseTemplate('echo ${VAR:-default}');
    expect(!p.ok && p.error.hint).toBe('To pass it to the shell unchanged, write $${VAR:-default}.');
  });
});

describe('lowerTemplate', () => {
  const lower = (text: string, resolver: Resolver = testResolver) => lowerTemplate(parsed(text), resolver);

  it('keeps text and secret placeholders as a literal, without resolving secrets', () => {
    const never: Resolver = () => {
      throw new Error('resolver called');
    };
    expect(lower('Bearer ${secrets.STRIPE_SECRET_KEY}', never)).toEqual({ kind: 'literal', value: 'Bearer ${secrets.STRIPE_SECRET_KEY}' });
    expect(lower('${ secrets.K }', never)).toEqual({ kind: 'literal', value: '${secrets.K}' });
    expect(lower('plain', never)).toEqual({ kind: 'literal', value: 'plain' });
    expect(lower('$${inputs.x}', never)).toEqual({ kind: 'literal', value: '${inputs.x}' });
  });

  it('gives a single reference as a path (keeping its JSON type)', () => {
    expect(lower('${inputs.amount}')).toEqual({ kind: 'path', path: '$.input.amount' });
    expect(lower('${ create-intent.id }')).toEqual({ kind: 'path', path: '$.outputs.create-intent.id' });
    expect(lower('${metadata.run_id}')).toEqual({ kind: 'path', path: '$$.Execution.Name' });
  });

  it('builds States.Format for everything else', () => {
    expect(lower('/v1/payment_intents/${create_intent.intent_id}/confirm')).toEqual({
      kind: 'intrinsic',
      expression: "States.Format('/v1/payment_intents/{}/confirm', $.outputs.create_intent.intent_id)",
    });
    expect(lower("Bearer ${secrets.K} {x} it's ${inputs.a}${inputs.b}")).toEqual({
      kind: 'intrinsic',
      expression: "States.Format('Bearer $\\{secrets.K\\} \\{x\\} it\\'s {}{}', $.input.a, $.input.b)",
    });
  });

  it('passes backslashes, line breaks and unbalanced parentheses as decoded arguments', () => {
    expect(lower('C:\\\\dir ${inputs.f}')).toEqual({ kind: 'intrinsic', expression: "States.Format('C:{}dir {}', States.Base64Decode('XFw='), $.input.f)" });
    expect(lower('a\nb ${inputs.f}')).toEqual({ kind: 'intrinsic', expression: "States.Format('a{}b {}', States.Base64Decode('Cg=='), $.input.f)" });
    expect(lower(':-( ${inputs.f}')).toEqual({ kind: 'intrinsic', expression: "States.Format(':-{} {}', States.Base64Decode('KA=='), $.input.f)" });
    expect(lower('f(${inputs.f})')).toEqual({ kind: 'intrinsic', expression: "States.Format('f({})', $.input.f)" });
  });

  it('returns the resolver error', () => {
    const text = 'x ${unknown_y} z';
    const l = lower(text);
    expect(l).toMatchObject({ message: "'unknown_y' is not declared." });
    expect(at(text, (l as { span: Span }).span)).toBe('unknown_y');
  });
});

describe('escaping helpers', () => {
  it('escapeIntrinsicString escapes quote, braces and backslash', () => {
    expect(escapeIntrinsicString("it's {a} \\ ok")).toBe("it\\'s \\{a\\} \\\\ ok");
  });
  it('escapeTemplateText round-trips through parseTemplate, also before a reference', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('$', '{', '}', 'a', '\\', ' ') }), (s) => {
        const t = parsed(escapeTemplateText(s));
        expect(t.references).toEqual([]);
        expect(t.parts.map((p) => (p as { text: string }).text).join('')).toBe(s);
        const u = parsed(`${escapeTemplateText(s, true)}\${x}`);
        expect(u.parts).toEqual([...(s ? [{ kind: 'text', text: s }] : []), { kind: 'ref', ref: expect.objectContaining({ path: ['x'] }), raw: '${x}' }]);
      }),
    );
  });
  it('intrinsicStringArgument is a literal unless the text needs decoding', async () => {
    expect(intrinsicStringArgument("it's")).toBe("'it\\'s'");
    expect(intrinsicStringArgument('a\\b')).toBe("States.Format('a{}b', States.Base64Decode('XA=='))");
    const arg = intrinsicStringArgument("x (y, 'z' {}");
    expect(await runPass({ 'v.$': `States.Array(${arg}, 1)` }, {}, 'r', true)).toEqual({ v: ["x (y, 'z' {}", 1] });
  });
});

describe('in the local engine', () => {
  const input = { input: { a: 'A', n: 5, t: true, z: null, f: 'file' }, outputs: { 'create-intent': { id: 'pi_1' } } };
  const run = async (text: string, engineValidation = true) => {
    const l = lowerTemplate(parsed(text), testResolver);
    if ('message' in l) throw new Error(l.message);
    const param = l.kind === 'literal' ? { v: l.value } : { 'v.$': l.kind === 'path' ? l.path : l.expression };
    return (await runPass(param, input, 'exec-9', engineValidation)).v;
  };

  it.each<[string, unknown]>([
    ['${inputs.n}', 5],
    ['${inputs.t}', true],
    ['n=${inputs.n} t=${inputs.t} z=${inputs.z}', 'n=5 t=true z=null'],
    ['/v1/${create-intent.id}/confirm', '/v1/pi_1/confirm'],
    ['run ${metadata.run_id}: ${inputs.a}', 'run exec-9: A'],
    ["Bearer ${secrets.K} {} {x} 'q' ${inputs.a}", "Bearer ${secrets.K} {} {x} 'q' A"],
    ['$${inputs.a} = ${inputs.a}', '${inputs.a} = A'],
    [':-( ${inputs.a}', ':-( A'],
    ['a) (b ( ${inputs.a}, ${inputs.n}', 'a) (b ( A, 5'],
    ['line 1\nline 2\r\n${inputs.a}\u2028', 'line 1\nline 2\r\nA\u2028'],
    ['${inputs.a}\\', 'A'],
    ['日本 😀 ${inputs.a}', '日本 😀 A'],
  ])('%j -> %j', async (text, expected) => {
    expect(await run(text)).toEqual(expected);
  });

  it('known local-engine deviation: it drops every backslash from an intrinsic result (AWS keeps them)', async () => {
    expect(await run('C:\\dir\\${inputs.f}')).toBe('C:dirfile');
    expect(await runPass({ 'v.$': "States.Format('{}', $.p)" }, { p: 'a\\b' })).toEqual({ v: 'ab' });
  });

  it('writing a backslash as \\\\ (the AWS escape) is refused by asl-validator, and so by the local engine', async () => {
    const def = passDefinition({ 'v.$': "States.Format('a\\\\b {}', $.x)" });
    expect(validate(def).asl).not.toEqual([]);
    await expect(runPass({ 'v.$': "States.Format('a\\\\b {}', $.x)" }, { x: 1 }, 'r', true)).rejects.toThrow(/invalid/);
  });
});

// ---- property: templates evaluate to the text they describe ----------------------

type Piece = { kind: 'text'; text: string } | { kind: 'data'; name: string } | { kind: 'secret'; name: string };

const DATA: Record<string, { ref: string; path: string[] }> = {
  s1: { ref: 'inputs.s1', path: ['input', 's1'] },
  s2: { ref: 'outputs.n_1.s2', path: ['outputs', 'n_1', 's2'] },
  s3: { ref: 'node.s3', path: ['outputs', 'node', 's3'] },
  num: { ref: 'inputs.num', path: ['input', 'num'] },
  flag: { ref: 'inputs.flag', path: ['input', 'flag'] },
  run: { ref: 'metadata.run_id', path: [] },
};

const unit = fc.constantFrom('a', 'B', ' ', "'", '"', '{', '}', '{}', '\\', '(', ')', ',', '$', '${', '$$', '.', ':', '*', '?', 'é', '日', '😀', '\n', '\t', 'States.Format(', "')", '${secrets.X}');
const textPiece = fc.oneof({ weight: 4, arbitrary: fc.array(unit, { maxLength: 6 }).map((u) => u.join('')) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 6 }) });
const piece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 3, arbitrary: textPiece.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 3, arbitrary: fc.constantFrom(...Object.keys(DATA)).map((name) => ({ kind: 'data' as const, name })) },
  { weight: 1, arbitrary: fc.constantFrom('X', 'API_KEY', 'k-1').map((name) => ({ kind: 'secret' as const, name })) },
);
const values = fc.record({
  s1: fc.string({ unit: fc.constantFrom('a', "'", '{}', '(', ',', ' ', 'é', '$', '"'), maxLength: 5 }),
  s2: fc.string({ maxLength: 5 }),
  s3: fc.string({ unit: 'grapheme', maxLength: 3 }),
  num: fc.integer({ min: -1000, max: 1000 }),
  flag: fc.boolean(),
});

describe('property: lowered templates give exactly the expected string', () => {
  it('through a Pass state in the local engine, and the definitions validate', async () => {
    let validated = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 6 }), values, async (pieces, v) => {
        // Merge adjacent texts: the source of two texts in a row is one text.
        const merged: Piece[] = [];
        for (const p of pieces) {
          if (p.kind === 'text' && p.text === '') continue;
          const prev = merged[merged.length - 1];
          if (p.kind === 'text' && prev?.kind === 'text') prev.text += p.text;
          else merged.push({ ...p });
        }
        const source = merged.map((p, i) => (p.kind === 'text' ? escapeTemplateText(p.text, i + 1 < merged.length) : p.kind === 'secret' ? `\${secrets.${p.name}}` : `\${${DATA[p.name].ref}}`)).join('');
        const t = parsed(source);
        const valueOf = (name: string): unknown => (name === 'run' ? 'exec-1' : v[name as keyof typeof v]);
        const expected = merged.map((p) => (p.kind === 'text' ? p.text : p.kind === 'secret' ? `\${secrets.${p.name}}` : String(valueOf(p.name)))).join('');
        const resolver: Resolver = (ref) => {
          const entry = Object.values(DATA).find((d) => d.ref === refKey(ref));
          if (!entry) throw new Error(`unexpected reference ${JSON.stringify(ref)}`);
          return { path: ref.kind === 'metadata' ? '$$.Execution.Name' : jsonPathOf(entry.path), mayBeAbsent: false };
        };
        const l = lowerTemplate(t, resolver);
        if ('message' in l) throw new Error(l.message);
        const input = { input: { s1: v.s1, num: v.num, flag: v.flag }, outputs: { n_1: { s2: v.s2 }, node: { s3: v.s3 } } };
        const params = l.kind === 'literal' ? { v: l.value } : { 'v.$': l.kind === 'path' ? l.path : l.expression };
        const out = (await runPass(params, input, 'exec-1')).v;
        if (l.kind === 'path') {
          expect(merged).toHaveLength(1);
          expect(out).toEqual(valueOf((merged[0] as { name: string }).name));
        } else if (l.kind === 'literal') {
          expect(out).toBe(expected);
        } else {
          // The local engine drops every backslash from intrinsic results (AWS does not).
          expect(out).toBe(expected.replace(/\\/g, ''));
          if (validated++ % 8 === 0) expect(validate(passDefinition(params))).toEqual({ asl: [], statelint: [] });
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The spelling DATA uses for a reference. */
function refKey(ref: Reference): string {
  if (ref.kind === 'input') return `inputs.${ref.path.join('.')}`;
  if (ref.kind === 'metadata') return `metadata.${ref.name}`;
  if (ref.kind === 'output') return ref.node === 'n_1' ? `outputs.n_1.${ref.path.join('.')}` : `${ref.node}.${ref.path.join('.')}`;
  return '?';
}
