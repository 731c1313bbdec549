/**
 * Every real OSOP file in the shared corpus: compiled, or rejected with
 * diagnostics; never an internal error; every compiled definition passes both
 * ASL validators. Writes the table of outcomes to test-output/corpus-outcomes.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, type CompileResult } from '../../lib';
import { validateAsl } from '../helpers/asl';
import { CORPUS, ROOT } from '../helpers/paths';

function workflowFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...workflowFiles(p));
    else if (/\.osop(\.(ya?ml|json))?$/.test(entry.name) || entry.name === 'valid_minimal.json') out.push(p);
  }
  return out.sort();
}

const files = workflowFiles(CORPUS);
const results = new Map<string, CompileResult>(files.map((f) => [f, compile(f)]));

describe('the OSOP corpus', () => {
  it('holds the real files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
  });

  it('compiles at least 55 of them (every node type has a binding; loose forms have one reading each)', () => {
    expect([...results.values()].filter((r) => r.ok).length).toBeGreaterThanOrEqual(55);
  });

  it('never ends in an internal error', () => {
    const internal = [...results].filter(([, r]) => r.internalError).map(([f, r]) => `${f}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    expect(internal).toEqual([]);
  });

  it('gives every rejected file at least one error with a code and a position', () => {
    for (const [file, r] of results) {
      if (r.ok) continue;
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(`${file}: ${errors.length}`).not.toBe(`${file}: 0`);
      for (const e of errors) {
        expect(e.code).toMatch(/^OSOP\d{4}$/);
        expect(e.file).toBe(file);
      }
    }
  });

  it('produces definitions that pass asl-validator and statelint', () => {
    const problems: string[] = [];
    for (const [file, r] of results) {
      if (!r.ok) continue;
      const p = validateAsl(r.definition);
      if (p.aslValidator.length || p.statelint.length) problems.push(`${path.relative(CORPUS, file)}: ${[...p.aslValidator, ...p.statelint].join('; ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses files only for reasons a user would accept', () => {
    const accepted: Record<string, string> = {
      OSOP1004: 'empty file (a deliberately broken fixture)',
      OSOP1005: 'broken YAML (a deliberately broken fixture)',
      OSOP2001: 'a required field is missing',
      OSOP2011: 'a runtime field no binding can use (a database engine the RDS Data API cannot reach)',
      OSOP3004: 'several start nodes: a state machine has one',
      OSOP3007: 'a condition or template names something that does not exist',
      OSOP3008: 'an output is used where its node may not have run',
      OSOP3009: 'an input is used that the workflow does not declare',
      OSOP3010: 'a node output is used that the node does not declare',
      OSOP3018: 'parallel branches that do not nest',
      OSOP3021: 'a sub-workflow that is not there',
      OSOP4001: 'a condition that is not CEL',
      OSOP4002: 'a condition a Choice rule cannot express',
      OSOP5001: 'a construct with no exact Step Functions form (wait_n, event edges)',
    };
    const unexpected: string[] = [];
    for (const [file, r] of results) {
      for (const d of r.diagnostics) if (d.severity === 'error' && !accepted[d.code]) unexpected.push(`${path.relative(CORPUS, file)}: ${d.code} ${d.message}`);
    }
    expect(unexpected).toEqual([]);
  });

  it('rejects the deliberately broken fixtures for the right reasons', () => {
    const codes = (name: string) => results.get(path.join(CORPUS, 'osop', 'tests', 'fixtures', name))!.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
    expect(codes('empty.osop')).toEqual(['OSOP1004']);
    expect(codes('invalid_yaml.osop')[0]).toBe('OSOP1005');
    expect(codes('missing_fields.osop')).toContain('OSOP2001');
  });

  it('compiles the corpus copy of the seed', () => {
    expect(results.get(path.join(CORPUS, 'osop-examples', 'api-sops', 'stripe-payment-flow.osop.yaml'))?.ok).toBe(true);
  });

  afterAll(() => {
    const rows = [...results].map(([file, r]) => {
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      const codes = [...new Set(errors.map((d) => d.code))].join(' ');
      const first = errors[0] ? `${errors[0].message.replace(/\|/g, '\\|').slice(0, 110)}` : '';
      return `| ${path.relative(CORPUS, file)} | ${r.ok ? 'compiled' : 'rejected'} | ${r.ok ? r.report!.states.length : ''} | ${codes} | ${first} |`;
    });
    const compiled = [...results.values()].filter((r) => r.ok).length;
    const out = path.join(ROOT, 'test-output');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(
      path.join(out, 'corpus-outcomes.md'),
      `# Corpus outcomes\n\n${compiled} of ${results.size} files compiled.\n\n| file | outcome | states | error codes | first error |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
    );
  });
});
