/**
 * `osop-sfn graph` draws what the workflow does (issue 11): switch cases and
 * the default, for-each bodies in a box with the item and the list,
 * sub-workflows with the child they run, approvals, manual steps, forks with
 * how their join waits. Every diagram of the corpus and the fixtures is
 * checked for validity: dot by Graphviz itself when `dot` is installed
 * (`apt-get install graphviz`; skipped otherwise), Mermaid by a strict check
 * of the flowchart subset the renderer writes (@mermaid-js/parser does not
 * cover flowcharts; mermaid itself needs a DOM and about 200 MB, so it checks
 * the diagrams only where it is installed, see mermaidModules).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticSink } from '../../lib/diagnostics';
import { hasWorkflowExtension, loadWorkflowFile } from '../../lib/load';
import type { Workflow } from '../../lib/model';
import { normaliseWorkflow } from '../../lib/normalise';
import { dotString, mermaidText, renderGraph } from '../../lib/render/graph';
import { BIN, ensureBuilt } from '../cli/helpers';
import { CORPUS, FIXTURES, ROOT } from '../helpers/paths';

const V11 = path.join(CORPUS, 'osop-examples', 'v1.1-features');
const SWITCH = path.join(V11, 'switch-intent-routing.osop');
const FOREACH = path.join(V11, 'foreach-bulk-email.osop');
const SUBWORKFLOWS = path.join(V11, 'sub-workflow-composition.osop');
const GRAPH = path.join(FIXTURES, 'graph');

/** The normalised model, errors or not (the renderer draws what normalises). */
function model(file: string, source?: string): Workflow {
  const sink = new DiagnosticSink({ path: file });
  const loaded = loadWorkflowFile(file, sink, source);
  const wf = loaded && normaliseWorkflow(loaded, sink);
  if (!wf) throw new Error(`${file} does not normalise`);
  return wf;
}
const draw = (file: string, format: 'mermaid' | 'dot', source?: string) => renderGraph(model(file, source), format);
const lines = (text: string) => text.split('\n').map((l) => l.trim());

/** The corpus's and the fixtures' workflow files. */
function workflowFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return workflowFiles(p);
    return hasWorkflowExtension(e.name) || e.name.endsWith('.osop') ? [p] : [];
  });
}

describe('switch: one edge per case, and the default', () => {
  test('Mermaid and dot, on the corpus file', () => {
    const m = lines(draw(SWITCH, 'mermaid'));
    expect(m).toContain('n1["classify_intent<br/>(agent/classifier)<br/>switch on outputs.classify_intent.intent"]');
    expect(m.filter((l) => l.startsWith('n1 '))).toEqual([
      `n1 -->|"case 'billing'"| n2`,
      `n1 -->|"case 'technical'"| n3`,
      `n1 -->|"case 'sales'"| n4`,
      'n1 -->|"default"| n5',
    ]);
    const d = lines(draw(SWITCH, 'dot'));
    expect(d.filter((l) => l.startsWith('"classify_intent" ->'))).toEqual([
      `"classify_intent" -> "billing_handler" [label="case 'billing'"];`,
      `"classify_intent" -> "tech_handler" [label="case 'technical'"];`,
      `"classify_intent" -> "sales_handler" [label="case 'sales'"];`,
      '"classify_intent" -> "fallback_handler" [label="default"];',
    ]);
  });

  test('several cases to one node are one edge each; numbers and booleans as written', () => {
    const source =
      'osop_version: "1.1"\nid: s\nname: s\nnodes:\n  - { id: a, type: api, outputs: [code], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n' +
      'edges:\n  - { from: a, to: b, mode: switch, when: "a.code", cases: [{ value: 200, to: b }, { value: 201, to: b }, { value: 404, to: c }], default_to: c }\n';
    expect(lines(draw('/tmp/s.osop.yaml', 'mermaid', source)).filter((l) => l.startsWith('n0 '))).toEqual([
      'n0 -->|"case 200"| n1',
      'n0 -->|"case 201"| n1',
      'n0 -->|"case 404"| n2',
      'n0 -->|"default"| n2',
    ]);
  });
});

describe('for-each: the body in a box that says what it iterates', () => {
  test('Mermaid: a subgraph around the body, the loop edge labelled with the item', () => {
    expect(draw(FOREACH, 'mermaid')).toBe(
      [
        'flowchart TD',
        '  n0["fetch_subscribers<br/>(db)"]',
        '  subgraph loop0 ["for each subscriber in outputs.fetch_subscribers.rows"]',
        '    n1["personalize<br/>(agent/llm)"]',
        '    n2["send_email<br/>(api)"]',
        '    n3[/"log_results<br/>(data)<br/>manual step"/]',
        '  end',
        '  n0 -->|"for each subscriber"| n1',
        '  n1 --> n2',
        '  n2 --> n3',
        '  n2 -.->|"error: Log failed sends too"| n3',
        '',
      ].join('\n'),
    );
  });

  test('dot: a cluster; what runs once the loop is over is "after the loop"', () => {
    const d = draw(path.join(GRAPH, 'for-each.osop.yaml'), 'dot');
    expect(d).toContain('  subgraph "cluster_loop0" {\n    label="for each subscriber in outputs.fetch.rows";\n    style=dashed;\n    "personalise" [label="personalise\\n(agent)"];\n    "send" [label="send\\n(api)"];\n  }\n');
    expect(d).toContain('"fetch" -> "personalise" [label="for each subscriber"];');
    expect(d).toContain('"fetch" -> "report" [label="after the loop"];');
    // report runs after the loop, not in it.
    expect(d.indexOf('"report" [label')).toBeLessThan(d.indexOf('subgraph'));
  });

  test('a workflow that does not analyse still says what the loop iterates, on its edge', () => {
    // ${nobody.x} is an unknown reference: no regions, the model alone.
    const text = fs.readFileSync(path.join(GRAPH, 'for-each.osop.yaml'), 'utf8').replace('${personalise.text}', '${nobody.x}');
    const m = draw(path.join(GRAPH, 'for-each.osop.yaml'), 'mermaid', text);
    expect(m).not.toContain('subgraph');
    expect(m).toContain('n0 -->|"for each subscriber in outputs.fetch.rows"| n1');
  });
});

describe('sub-workflows, approvals, manual steps', () => {
  test('a sub-workflow node names the child workflow it runs (Mermaid subroutine, dot double border)', () => {
    const m = lines(draw(SUBWORKFLOWS, 'mermaid'));
    expect(m).toEqual(expect.arrayContaining([
      'n0[["extract_sales<br/>(system)<br/>runs workflow etl-extract"]]',
      'n1[["extract_inventory<br/>(system)<br/>runs workflow etl-extract"]]',
      'n2[["transform<br/>(system)<br/>runs workflow etl-transform"]]',
      'n3[["quality_gate<br/>(system)<br/>runs workflow quality-check"]]',
    ]));
    expect(draw(path.join(GRAPH, 'bindings.osop.yaml'), 'dot')).toContain('"etl" [label="etl\\n(system)\\nruns workflow etl-pipeline", peripheries=2];');
  });

  test('approvals (a human node, an approval gate) are hexagons that say who approves; a manual step is a parallelogram', () => {
    const m = lines(draw(path.join(GRAPH, 'approval.osop.yaml'), 'mermaid'));
    expect(m).toContain('n1{{"approve<br/>(human/approval)<br/>approval by release-manager"}}');
    expect(m).toContain('n2{{"deploy<br/>(api)<br/>approval gate by sre"}}');
    const d = lines(draw(path.join(GRAPH, 'approval.osop.yaml'), 'dot'));
    expect(d).toContain('"approve" [label="approve\\n(human/approval)\\napproval by release-manager", shape=hexagon, style=""];');
    expect(lines(draw(SWITCH, 'mermaid'))).toContain('n0[/"receive_query<br/>(api)<br/>manual step"/]');
  });
});

describe('parallel forks: bold edges, and the join says how it waits', () => {
  test.each([
    ['wait-n.osop.yaml', 'merge', 'joins dispatch (wait_n: 2 of 3)'],
    ['wait-any.osop.yaml', 'use', 'joins ask (wait_any: the first to finish)'],
    ['parallel-join.osop.yaml', 'merge', 'joins start (wait_all: all 2)'],
  ])('%s', (file, join, says) => {
    const m = draw(path.join(GRAPH, file), 'mermaid');
    expect(m).toMatch(new RegExp(`n\\d+[\\[{(]+"${join}<br/>[^\\n]*<br/>${says.replace(/[()]/g, '\\$&')}"`));
    const d = draw(path.join(GRAPH, file), 'dot');
    expect(d).toContain(`\\n${says}"`);
    const forkEdges = d.split('\n').filter((l) => l.includes('style=bold'));
    expect(forkEdges.length).toBeGreaterThanOrEqual(2);
    expect(m.split('\n').filter((l) => l.includes('==>')).length).toBe(forkEdges.length);
  });
});

describe('labels are escaped for each language', () => {
  test('Mermaid: quotes, the entity sign and HTML as entity codes; dot: quotes and backslashes escaped', () => {
    expect(mermaidText('say "hi" #1 <b> & a\nb')).toBe('say #quot;hi#quot; #35;1 #lt;b#gt; #amp; a<br/>b');
    expect(dotString('say "hi" \\ a\nb')).toBe('"say \\"hi\\" \\\\ a\\nb"');
  });
});

// ---- validity ---------------------------------------------------------------------

/**
 * The flowchart subset the renderer writes, checked strictly: the header;
 * node definitions (each id once) with a quoted label and a known shape;
 * subgraph ... end, balanced; edges between defined nodes with a known arrow
 * and a quoted label; no raw quote inside a label.
 */
function checkMermaid(text: string): string[] {
  const problems: string[] = [];
  const all = text.split('\n');
  if (all[0] !== 'flowchart TD') problems.push(`header: ${all[0]}`);
  if (all[all.length - 1] !== '') problems.push('no final newline');
  const label = '"[^"]*"';
  const shapes = [`\\[${label}\\]`, `\\{${label}\\}`, `\\{\\{${label}\\}\\}`, `\\[/${label}/\\]`, `\\[\\[${label}\\]\\]`].join('|');
  const nodeRe = new RegExp(`^(n\\d+)(?:${shapes})$`);
  const edgeRe = new RegExp(`^(n\\d+) (-->|-\\.->|==>)(?:\\|${label}\\|)? (n\\d+)$`);
  const subRe = new RegExp(`^subgraph (loop\\d+) \\[${label}\\]$`);
  const defined = new Set<string>();
  const edges: [string, string][] = [];
  let depth = 0;
  for (const raw of all.slice(1, -1)) {
    const l = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = nodeRe.exec(l))) {
      if (defined.has(m[1])) problems.push(`defined twice: ${m[1]}`);
      defined.add(m[1]);
    } else if ((m = subRe.exec(l))) {
      if (defined.has(m[1])) problems.push(`defined twice: ${m[1]}`);
      defined.add(m[1]);
      depth++;
    } else if (l === 'end') {
      if (--depth < 0) problems.push('end without subgraph');
    } else if ((m = edgeRe.exec(l))) {
      edges.push([m[1], m[3]]);
    } else problems.push(`not understood: ${l}`);
  }
  if (depth !== 0) problems.push('subgraph not closed');
  for (const [a, b] of edges) if (!defined.has(a) || !defined.has(b)) problems.push(`edge to an undefined node: ${a} -> ${b}`);
  return problems;
}

const hasDot = spawnSync('dot', ['-V']).status === 0;

/**
 * Mermaid itself (mermaid 11 needs a DOM: jsdom), when installed: in the project, or in the folder
 * OSOP_MERMAID_MODULES names (`npm install --prefix /tmp/mm mermaid jsdom`, then OSOP_MERMAID_MODULES=/tmp/mm/node_modules).
 * Not a dependency: about 200 MB for a check the strict one above stands in for.
 */
function mermaidModules(): { mermaid: string; jsdom: string } | undefined {
  const from = process.env.OSOP_MERMAID_MODULES ? [process.env.OSOP_MERMAID_MODULES] : [ROOT];
  try {
    return { mermaid: require.resolve('mermaid', { paths: from }), jsdom: require.resolve('jsdom', { paths: from }) };
  } catch {
    return undefined;
  }
}
const MERMAID = mermaidModules();
const MERMAID_CHECK = `
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
const [mermaidPath, jsdomPath, ...files] = process.argv.slice(1);
const { JSDOM } = await import(pathToFileURL(jsdomPath).href);
const dom = new JSDOM('<!doctype html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(mermaidPath).href);
for (const f of files) {
  try {
    const r = await mermaid.parse(fs.readFileSync(f, 'utf8'));
    if (r.diagramType !== 'flowchart-v2') console.log(f + ': a ' + r.diagramType);
  } catch (e) {
    console.log(f + ': ' + String(e.message ?? e).split('\\n')[0]);
  }
}
`;

describe('every diagram of the corpus and the fixtures is valid', () => {
  const files = [...workflowFiles(CORPUS), ...workflowFiles(FIXTURES)];
  const drawable = files.flatMap((f) => {
    try {
      model(f);
      return [{ file: path.relative(ROOT, f), wf: () => model(f) }];
    } catch {
      return [];
    }
  });

  // Labels with every character the languages treat specially.
  const awkward =
    'osop_version: "1.1"\nid: "awk\\\\ward \\"id\\""\nname: a\nnodes:\n' +
    `  - { id: a, name: 'say "hi" <b>#1;</b> & [x] {y} | (z) \\ end', type: api, outputs: [n], runtime: { url: "https://api.example.com/a" } }\n` +
    '  - { id: end, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n' +
    `edges:\n  - { from: a, to: end, mode: conditional, when: "a.n >= 2 && a.n != 'x|\\"y\\"'" }\n  - { from: a, to: c, label: "<i>'quoted'</i> #35; -->" }\n`;
  drawable.push({ file: 'awkward labels', wf: () => model('/tmp/awkward.osop.yaml', awkward) });

  test('most files draw (those that load and normalise)', () => {
    expect(drawable.length).toBeGreaterThan(60);
  });

  test('Mermaid: the flowchart subset, strictly', () => {
    const bad = drawable.map(({ file, wf }) => ({ file, problems: checkMermaid(renderGraph(wf(), 'mermaid')) })).filter((x) => x.problems.length);
    expect(bad).toEqual([]);
  });

  (hasDot ? test : test.skip)('dot: Graphviz reads every diagram (dot -Tcanon)', () => {
    const bad = drawable.flatMap(({ file, wf }) => {
      const r = spawnSync('dot', ['-Tcanon'], { input: renderGraph(wf(), 'dot'), encoding: 'utf8' });
      return r.status === 0 && !r.stderr.trim() ? [] : [`${file}: ${r.stderr.trim()}`];
    });
    expect(bad).toEqual([]);
  });

  (MERMAID ? test : test.skip)('Mermaid: mermaid itself parses every diagram as a flowchart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-mermaid-'));
    try {
      const files = drawable.map(({ file, wf }, i) => {
        const out = path.join(dir, `${i}.mmd`);
        fs.writeFileSync(out, `%% ${file}\n${renderGraph(wf(), 'mermaid')}`);
        return out;
      });
      // A broken diagram must be refused: the check really parses.
      fs.writeFileSync(path.join(dir, 'broken.mmd'), 'flowchart TD\n  subgraph loop0 ["x"]\n  n0["a"] -->|"b| n1\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', MERMAID_CHECK, MERMAID!.mermaid, MERMAID!.jsdom, ...files, path.join(dir, 'broken.mmd')], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^.*broken\.mmd: /)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  (hasDot ? test : test.skip)('dot: the for-each body is a cluster of the graph Graphviz lays out', () => {
    const canon = execFileSync('dot', ['-Tcanon'], { input: draw(FOREACH, 'dot'), encoding: 'utf8' });
    expect(canon).toMatch(/subgraph cluster_loop0 \{[^}]*label="for each subscriber in outputs.fetch_subscribers.rows"[^}]*personalize[^}]*send_email[^}]*log_results/s);
  });
});

describe('the command', () => {
  beforeAll(() => ensureBuilt());
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });

  test('osop-sfn graph draws switch cases and for-each boxes, in both formats', () => {
    const m = run(['graph', SWITCH]);
    expect(m.status).toBe(0);
    expect(m.stdout).toContain(`n1 -->|"case 'billing'"| n2`);
    const d = run(['graph', FOREACH, '--format', 'dot']);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('subgraph "cluster_loop0" {');
  });
});
