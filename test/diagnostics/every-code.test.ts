/**
 * Every diagnostic code is really produced: one case per code (cases.ts),
 * compiled with `compile()` (or, for the codes of `osop-sfn test`, read by
 * `loadTests()`), must report the code with the severity CODE_INFO gives it
 * and at the position written in the case. The table covers exactly the codes
 * in `Codes`, so a new code without a case that produces it fails here;
 * docs/diagnostics.md, generated from the same cases, must be up to date.
 */
import * as fs from 'node:fs';
import { compile } from '../../lib';
import { CODE_INFO, Codes, type Code } from '../../lib/diagnostics/codes';
import * as emit from '../../lib/emit';
import * as normalise from '../../lib/normalise';
import * as layout from '../../lib/lower/layout';
import { DOC_PATH, diagnosticsDoc, severityLabel } from '../../scripts/diagnostics-doc';
import { CASES, runCase, type DiagnosticCase } from './cases';

const ALL = Object.values(Codes) as Code[];

/**
 * Codes whose severity is 'reading' (loose forms read one documented way,
 * manual steps): warnings that `--strict` makes errors. Every other warning
 * stays a warning with `--strict`.
 */
const STRICT_ERRORS: Code[] = ['OSOP3023', 'OSOP3024', 'OSOP3025', 'OSOP3026', 'OSOP5008'];

/**
 * Codes no input reaches, each with a case that says why (and a test below
 * that forces it through `compile()` another way).
 */
const UNREACHABLE: Code[] = ['OSOP5002', 'OSOP5013', 'OSOP5017', 'OSOP9000'];

const reachable = CASES.filter((c) => !c.unreachable);
/** The severity a code is reported with (without --strict). */
const expectedSeverity = (c: DiagnosticCase) => {
  const s = CODE_INFO[c.code].severity;
  return s === 'reading' ? 'warning' : s;
};
const describeAll = (ds: { code: string; severity: string; line: number; column: number; message: string }[]) =>
  ds.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column} ${d.message.slice(0, 200)}`);

describe('each code, from the smallest input that triggers it', () => {
  it.each(reachable.map((c) => [`${c.code} ${CODE_INFO[c.code].title}`, c] as const))('%s', (_name, c) => {
    const { result, found } = runCase(c);
    expect(result.internalError).toBeFalsy();
    if (found.length === 0) throw new Error(`${c.code} was not reported; the case gave:\n${describeAll(result.diagnostics).join('\n') || '(no diagnostics)'}`);
    const d = found[0];
    expect(d.severity).toBe(expectedSeverity(c));
    if (c.at === 'file') {
      // About the file as a whole: no position, no source line.
      expect([d.line, d.column, d.sourceLine]).toEqual([0, 0, undefined]);
    } else {
      expect([d.line, d.column]).toEqual(c.at);
      expect(d.sourceLine).toBeDefined();
    }
    // A warning or info case compiles (the note is its only point); an error case does not.
    expect(result.ok).toBe(d.severity !== 'error');
  });
});

describe('the table of cases', () => {
  it('has exactly one case per code in Codes', () => {
    expect(new Set(ALL).size).toBe(ALL.length);
    expect(CASES.map((c) => c.code).sort()).toEqual([...ALL].sort());
  });

  it('has an entry in CODE_INFO for every code, and none for anything else', () => {
    expect(Object.keys(CODE_INFO).sort()).toEqual([...ALL].sort());
    for (const code of ALL) {
      const info = CODE_INFO[code];
      expect(info.title.length).toBeGreaterThan(0);
      expect(info.explanation.length).toBeGreaterThan(info.title.length);
    }
  });

  it('gives every code in the table a case that produces it (or, for a code no input reaches, a reason and a test below that forces it)', () => {
    const caseOf = new Map(CASES.map((c) => [c.code, c]));
    const without = (Object.keys(CODE_INFO) as Code[]).filter((code) => !caseOf.has(code) || (caseOf.get(code)!.unreachable && !UNREACHABLE.includes(code)));
    expect(without).toEqual([]);
    // Each reachable case is run above ('each code, from the smallest input that triggers it') and must report its code.
    expect(reachable.length + UNREACHABLE.length).toBe(Object.keys(CODE_INFO).length);
  });

  it('says where each reachable case points', () => {
    for (const c of reachable) {
      expect([c.code, c.at !== undefined]).toEqual([c.code, true]);
      expect([c.code, c.source !== undefined || c.setup !== undefined]).toEqual([c.code, true]);
    }
  });

  it('has a message template for every code, and the reading codes are exactly the ones --strict makes errors', () => {
    for (const code of ALL) expect([code, typeof CODE_INFO[code].message]).toEqual([code, 'function']);
    expect(ALL.filter((code) => CODE_INFO[code].severity === 'reading').sort()).toEqual([...STRICT_ERRORS].sort());
  });

  it('gives the codes of osop-sfn test (OSOP6xxx) cases run as osop-sfn test reads the workflow', () => {
    const testCodes = ALL.filter((code) => code.startsWith('OSOP6'));
    expect(testCodes.length).toBeGreaterThanOrEqual(5);
    for (const code of testCodes) expect([code, CASES.find((c) => c.code === code)?.tests]).toEqual([code, true]);
  });

  it(`marks only ${UNREACHABLE.join(' and ')} unreachable, each with a reason and no example`, () => {
    const marked = CASES.filter((c) => c.unreachable);
    expect(marked.map((c) => c.code).sort()).toEqual(UNREACHABLE);
    for (const c of marked) {
      expect(c.unreachable!.length).toBeGreaterThan(40);
      expect([c.source, c.setup, c.at]).toEqual([undefined, undefined, undefined]);
    }
  });
});

describe('--strict', () => {
  const warnings = reachable.filter((c) => expectedSeverity(c) === 'warning');

  it.each(warnings.filter((c) => STRICT_ERRORS.includes(c.code)).map((c) => [c.code, c] as const))('%s: the warning becomes an error', (_code, c) => {
    const strict = runCase({ ...c, strict: true });
    expect(strict.result.ok).toBe(false);
    expect(strict.found.map((d) => d.severity)).toEqual(runCase(c).found.map(() => 'error'));
    expect(CODE_INFO[c.code].explanation).toContain('--strict');
  });

  it('leaves every other warning a warning', () => {
    expect(warnings.filter((c) => STRICT_ERRORS.includes(c.code)).map((c) => c.code).sort()).toEqual([...STRICT_ERRORS].sort());
    for (const c of warnings.filter((x) => !STRICT_ERRORS.includes(x.code))) {
      const strict = runCase({ ...c, strict: true });
      expect([c.code, strict.result.ok, strict.found[0]?.severity]).toEqual([c.code, true, 'warning']);
    }
  });
});

describe('codes no input reaches', () => {
  afterEach(() => jest.restoreAllMocks());

  it('OSOP9000: a compiler that throws reports an internal error (here a stage made to throw), never an exception', () => {
    jest.spyOn(normalise, 'normaliseWorkflow').mockImplementation(() => {
      throw new Error('simulated bug');
    });
    const c = CASES.find((x) => x.code === 'OSOP3014')!;
    const r = compile('internal.osop.yaml', { source: c.source });
    expect(r.ok).toBe(false);
    expect(r.internalError).toBe(true);
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'OSOP9000', line: 0, column: 0, message: expect.stringContaining('Internal compiler error: simulated bug. This is a bug in osop-sfn') }),
    ]);
  });

  it('OSOP5017: two states with one name are refused, at the node (here a state the compiler adds is made to take a node id)', () => {
    const replaced = jest.replaceProperty(layout, 'INIT_STATE', 'a' as typeof layout.INIT_STATE);
    const r = compile('clash.osop.yaml', { source: 'osop_version: "1.0"\nid: demo\nname: Demo\ninputs: { x: { type: string, required: true } }\nnodes:\n  - { id: a, type: system, subtype: router }\n  - { id: b, type: system, subtype: router }\nedges:\n  - { from: a, to: b }\n' });
    expect(r.ok).toBe(false);
    replaced.restore();
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'OSOP5017', line: 6, column: 11, message: "Two states would be named 'a' (node 'a')." })]);
  });

  it('OSOP5013: a definition whose intrinsics nest over 10 deep is refused, at the node (here the definition is made so)', () => {
    const real = emit.toAslDefinition;
    const deep = `${'States.StringToJson('.repeat(11)}$.x${')'.repeat(11)}`;
    jest.spyOn(emit, 'toAslDefinition').mockImplementation((lowered) => {
      const def = real(lowered);
      (def.States.a as { Parameters?: unknown }).Parameters = { 'v.$': deep };
      return def;
    });
    const r = compile('deep.osop.yaml', { source: 'osop_version: "1.0"\nid: demo\nname: Demo\nnodes:\n  - { id: a, type: system, subtype: router }\n' });
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'OSOP5013', line: 5, column: 5, message: "Field 'v.$' of state 'a' nests intrinsic functions 11 deep; Step Functions accepts at most 10." })]);
  });
});

describe('docs/diagnostics.md', () => {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');

  it('has a section for every code, with its title, severity and explanation', () => {
    for (const code of ALL) {
      const info = CODE_INFO[code];
      expect(doc).toContain(`### ${code}: ${info.title}\n\n**${severityLabel(info.severity)}**`);
      expect(doc).toContain(info.explanation);
    }
  });

  it('shows every example', () => {
    for (const c of reachable) {
      const shown = c.shown ?? (c.setup ? c.situation : c.source);
      expect([c.code, doc.includes(shown!)]).toEqual([c.code, true]);
    }
  });

  it('is up to date (if not: npm run docs:diagnostics)', () => {
    expect(doc).toBe(diagnosticsDoc());
  });
});
