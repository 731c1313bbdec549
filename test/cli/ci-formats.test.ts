/**
 * `osop-sfn check --format github|sarif`: GitHub Actions workflow commands
 * (annotations) and SARIF 2.1.0, checked against their formats (SARIF against
 * its JSON Schema, vendored in test/fixtures/sarif).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { compile, type Diagnostic } from '../../lib';
import { githubAnnotations } from '../../lib/cli/ci-formats';
import { FIXTURES } from '../helpers/paths';
import { cli, ensureBuilt } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-ci-'));
const bad = path.join(dir, 'bad.osop.yaml');
const missing = path.join(dir, 'missing.osop.yaml');
fs.writeFileSync(
  bad,
  [
    'osop_version: "1.0"',
    'id: bad',
    'name: bad',
    'nodes:',
    '  - id: fetch',
    '    type: api',
    '    runtime: { method: GET, url: "https://example.com/${nothing.here}" }',
    '    colour: blue',
    '  - id: done',
    '    type: system',
    'edges:',
    '  - from: fetch',
    '    to: done',
    '',
  ].join('\n'),
);
const expected = [...compile(bad).diagnostics, ...compile(missing).diagnostics];

beforeAll(() => ensureBuilt());
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the fixture has errors, warnings and a diagnostic without a position', () => {
  expect(new Set(expected.map((d) => d.severity))).toEqual(new Set(['error', 'warning']));
  expect(expected.some((d) => d.line > 0)).toBe(true);
  expect(expected.some((d) => d.line === 0)).toBe(true);
});

describe('--format github', () => {
  test('one workflow command per diagnostic on stdout, with file, line, col and the code', async () => {
    const r = await cli(['check', '--format', 'github', bad, missing]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => {
      const d = expected[i];
      const command = { error: 'error', warning: 'warning', info: 'notice' }[d.severity];
      const where = d.line > 0 ? `,line=${d.line},col=${d.column}` : '';
      // The syntax of the runner's workflow commands: ::name key=value,key=value::message, each part escaped.
      expect(line).toMatch(/^::(error|warning|notice) file=[^,:]+(,line=\d+,col=\d+)?,title=[^,:]+::[^\r\n]+$/);
      expect(line.startsWith(`::${command} file=${d.file.replace(/:/g, '%3A')}${where},title=${d.code} `)).toBe(true);
      expect(line).toContain(`::${d.code} ${d.message.replace(/%/g, '%25')}`);
    });
    expect(r.stderr).toContain('2 files checked: 0 ok, 2 with errors');
  });

  test('escapes what would end a property or the message, and names files relative to the checkout', () => {
    const d: Diagnostic = { severity: 'error', code: 'OSOP3001', message: '100% wrong\nsecond line', hint: 'fix it', file: path.join('/repo', 'flows', 'a,b:c.osop.yaml'), line: 3, column: 7 };
    expect(githubAnnotations([d], '/repo')).toBe(`::error file=flows/a%2Cb%3Ac.osop.yaml,line=3,col=7,title=OSOP3001 Unknown reference::OSOP3001 100%25 wrong%0Asecond line%0Ahint: fix it\n`.replace('Unknown reference', titleOf('OSOP3001')));
  });
});

function titleOf(code: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../lib/diagnostics/codes') as typeof import('../../lib/diagnostics/codes')).CODE_INFO[code as 'OSOP3001'].title;
}

describe('--format sarif', () => {
  const sarifSchema = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'sarif', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  // unicodeRegExp: false: the schema's language-tag pattern has a stray ']' that only non-Unicode regular expressions accept.
  const validate = addFormats(new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false })).compile(sarifSchema);

  test('is a SARIF 2.1.0 log that its JSON Schema accepts, one result per diagnostic, each rule described', async () => {
    const r = await cli(['check', '--format', 'sarif', bad, missing]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.version).toBe('2.1.0');
    const [run] = log.runs;
    expect(run.tool.driver.name).toBe('osop-sfn');
    expect(run.results).toHaveLength(expected.length);
    run.results.forEach((res: any, i: number) => {
      const d = expected[i];
      expect(res.ruleId).toBe(d.code);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(d.code);
      expect(res.level).toBe(d.severity === 'info' ? 'note' : d.severity);
      expect(res.message.text.startsWith(d.message)).toBe(true);
      const loc = res.locations[0].physicalLocation;
      expect(decodeURI(loc.artifactLocation.uri)).toBe(d.file);
      expect(loc.region).toEqual(d.line > 0 ? { startLine: d.line, startColumn: d.column } : undefined);
    });
    for (const rule of run.tool.driver.rules) expect(rule.shortDescription.text.length).toBeGreaterThan(0);
  });

  test('a clean file is a valid log with no results', async () => {
    const clean = path.join(dir, 'clean.osop.yaml');
    fs.writeFileSync(clean, 'osop_version: "1.0"\nid: clean\nname: clean\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://example.com/x" }\nedges: []\n');
    const r = await cli(['check', '--format', 'sarif', clean]);
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].results).toEqual([]);
    // The schema does refuse what is not SARIF: a run without its tool.
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });
});

test('--diagnostics json is unchanged, and disagreeing --format and --diagnostics are a usage error', async () => {
  const json = await cli(['check', '--diagnostics', 'json', bad]);
  expect(json.stderr.trimEnd().split('\n').map((l) => JSON.parse(l).code)).toEqual(compile(bad).diagnostics.map((d) => d.code));
  const both = await cli(['check', '--format', 'github', '--diagnostics', 'json', bad]);
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('--format github and --diagnostics json disagree');
});
