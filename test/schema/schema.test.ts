/**
 * The JSON Schema shipped for editors (schema/osop-sfn.schema.json, `osop-sfn schema`):
 * up to date with the compiler, accepts every corpus file that compiles, and
 * describes x-sfn exactly as the compiler reads it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { compile } from '../../lib';
import { EdgeSfn } from '../../lib/normalise/schema';
import { EDGE_SFN_DOCS, NODE_SFN_DOCS, workflowJsonSchema, workflowJsonSchemaText } from '../../lib/schema';
import { SCHEMA_FILE } from '../../scripts/schema';
import { CORPUS, ROOT } from '../helpers/paths';

const schema = workflowJsonSchema() as { definitions: Record<string, { properties: Record<string, { description?: string }>; additionalProperties: unknown }> };
const validate = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(schema);

function workflowFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...workflowFiles(p));
    else if (/\.osop(\.(ya?ml|json))?$/.test(entry.name) || entry.name === 'valid_minimal.json') out.push(p);
  }
  return out.sort();
}

const problemsOf = (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
const parse = (text: string) => YAML.parse(text) as unknown;

test('the shipped file is what the compiler generates (npm run schema)', () => {
  expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(workflowJsonSchemaText());
});

test('every corpus file that compiles, the example workflows and the CDK fixtures are valid', () => {
  const files = [...workflowFiles(CORPUS), ...workflowFiles(path.join(ROOT, 'workflows')), ...workflowFiles(path.join(ROOT, 'test', 'cdk', 'fixtures'))];
  const compiled = files.filter((f) => compile(f).ok);
  expect(compiled.length).toBeGreaterThanOrEqual(55 + 2);
  const invalid = compiled.map((f) => [path.relative(ROOT, f), problemsOf(parse(fs.readFileSync(f, 'utf8')))] as const).filter(([, p]) => p.length);
  expect(invalid).toEqual([]);
});

/** The keys the compiler accepts in a node's x-sfn, as its "unknown key" diagnostic lists them. */
function compilerNodeSfnKeys(): string[] {
  const source = 'osop_version: "1.0"\nid: k\nname: k\nnodes:\n  - id: a\n    type: api\n    runtime: { method: GET, url: "https://example.com/x" }\n    x-sfn: { not_a_key: 1 }\nedges: []\n';
  const d = compile('keys.osop.yaml', { source }).diagnostics.find((x) => x.code === 'OSOP2009' && x.message.includes("'not_a_key'"));
  const listed = /Known keys: (.*)\.$/.exec(d?.hint ?? '');
  expect(listed).not.toBeNull();
  return listed![1].split(', ').sort();
}

test("x-sfn: exactly the keys the compiler accepts, each described, and nothing else", () => {
  const { nodeSfn, edgeSfn } = schema.definitions;
  expect(Object.keys(nodeSfn.properties).sort()).toEqual(compilerNodeSfnKeys());
  expect(Object.keys(edgeSfn.properties).sort()).toEqual(Object.keys(EdgeSfn.shape).sort());
  for (const [def, docs] of [[nodeSfn, NODE_SFN_DOCS], [edgeSfn, EDGE_SFN_DOCS]] as const) {
    expect(def.additionalProperties).toBe(false);
    for (const [key, p] of Object.entries(def.properties)) expect([key, p.description]).toEqual([key, docs[key]]);
    expect(Object.keys(docs).sort()).toEqual(Object.keys(def.properties).sort());
  }
});

describe('what the schema refuses, as the compiler does', () => {
  const base = (node: string, edge = '') => `osop_version: "1.0"\nid: s\nname: s\nnodes:\n${node}\n  - id: b\n    type: system\nedges:\n  - from: a\n    to: b\n${edge}`;
  const cases: [string, string, string][] = [
    ['an unknown x-sfn key on a node', base('  - id: a\n    type: api\n    x-sfn: { handlr: ./h.ts }'), '/nodes/0/x-sfn must NOT have additional properties'],
    ['an x-sfn value of the wrong type', base('  - id: a\n    type: api\n    x-sfn: { max_fallbacks: many }'), '/nodes/0/x-sfn/max_fallbacks must be integer'],
    ['an unknown x-sfn key on an edge', base('  - id: a\n    type: api', '    x-sfn: { max_iteration: 3 }\n'), '/edges/0/x-sfn must NOT have additional properties'],
    ['an unknown node type', base('  - id: a\n    type: apii'), '/nodes/0/type must be equal to one of the allowed values'],
    ['an unknown edge mode', base('  - id: a\n    type: api', '    mode: sequentail\n'), '/edges/0/mode must be equal to one of the allowed values'],
    ['a file without nodes', 'osop_version: "1.0"\nid: s\n', "/ must have required property 'nodes'"],
  ];
  test.each(cases)('%s', (_what, source, problem) => {
    expect(problemsOf(parse(source))).toContain(problem);
    expect(compile('s.osop.yaml', { source }).ok).toBe(false);
  });

  test('while unknown keys elsewhere pass (the compiler only warns about them)', () => {
    const source = base('  - id: a\n    type: api\n    colour: blue');
    expect(problemsOf(parse(source))).toEqual([]);
    expect(compile('s.osop.yaml', { source }).diagnostics.some((d) => d.severity === 'warning' && d.message.includes('colour'))).toBe(true);
  });
});
