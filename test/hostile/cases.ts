/**
 * Hostile workflow files, generated when needed (never kept in the repository):
 * each is a way a file in a CI or `cdk synth` run could exhaust the compiler.
 * Used by test/hostile/compiler.test.ts (exit codes and diagnostics) and by
 * the benchmark (time and peak memory of each, `npm run bench`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface HostileCase {
  name: string;
  /** What the file is. */
  what: string;
  /** Writes the case into `dir`; returns the file to check. */
  write(dir: string): string;
  /** The diagnostic code that refuses it (undefined: it compiles, with warnings). */
  code?: string;
}

const head = (id: string) => `osop_version: "1.0"\nid: ${id}\nname: ${id}\n`;
const file = (dir: string, name: string, text: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'alias-width',
    what: 'a 10,000-item anchor referenced 500 times (a 50 KB file)',
    code: 'OSOP1005',
    write: (dir) => file(dir, 'alias.osop.yaml', `${head('alias')}x-big: &big [${Array.from({ length: 10_000 }, (_, i) => i).join(',')}]\nx-refs: [${Array(500).fill('*big').join(',')}]\nnodes:\n  - { id: a, type: system }\n`),
  },
  {
    name: 'duplicate-keys',
    what: '80,000 keys in one mapping, one repeated',
    code: 'OSOP1007',
    write: (dir) => file(dir, 'keys.osop.yaml', `${head('keys')}x-many:\n${Array.from({ length: 80_000 }, (_, i) => `  k${i}: 1\n`).join('')}  k5: 2\nnodes:\n  - { id: a, type: system }\n`),
  },
  {
    name: 'deep-nesting',
    what: 'block mappings nested 2,000 levels',
    code: 'OSOP1010',
    write: (dir) => file(dir, 'deep.osop.yaml', `${head('deep')}x-deep:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat((i + 1) * 2)}k:\n`).join('')}nodes:\n  - { id: a, type: system }\n`),
  },
  {
    name: 'reserved-ids',
    what: "node ids '__proto__' and '${RestHandlerArn}', an output named 'constructor'",
    code: 'OSOP3028',
    write: (dir) => file(dir, 'proto.osop.yaml', `${head('proto')}nodes:\n  - { id: __proto__, type: system }\n  - { id: "\${RestHandlerArn}", type: system }\n  - { id: c, type: system, outputs: [constructor] }\nedges:\n  - { from: c, to: __proto__ }\n`),
  },
  {
    name: 'nested-fallbacks',
    what: '8,000 api nodes, each with a fallback edge back to the one before (1.2 MB)',
    code: 'OSOP5010',
    write: (dir) => {
      const n = 8000;
      const nodes = Array.from({ length: n }, (_, i) => `  - { id: n${i}, type: api, runtime: { url: "https://x.example.com/${i}" } }\n`).join('');
      const edges = Array.from({ length: n - 1 }, (_, i) => `  - { from: n${i}, to: n${i + 1} }\n  - { from: n${i + 1}, to: n${i}, mode: fallback }\n`).join('');
      return file(dir, 'fallbacks.osop.yaml', `${head('fallbacks')}nodes:\n${nodes}edges:\n${edges}`);
    },
  },
  {
    name: 'huge-definition',
    what: '2,000 agent nodes with 400-character prompts (a 1 MB file, a definition over 1 MB)',
    code: 'OSOP5010',
    write: (dir) => {
      const n = 2000;
      const prompt = 'Summarise the findings carefully. '.repeat(12);
      const nodes = Array.from({ length: n }, (_, i) => `  - { id: n${i}, type: agent, runtime: { model: claude-sonnet-4-6, prompt: "${prompt}" } }\n`).join('');
      const edges = Array.from({ length: n - 1 }, (_, i) => `  - { from: n${i}, to: n${i + 1} }\n`).join('');
      return file(dir, 'huge.osop.yaml', `${head('huge')}nodes:\n${nodes}edges:\n${edges}`);
    },
  },
  {
    name: 'duplicate-edges',
    what: '100,000 copies of one edge: one warning, summarised',
    write: (dir) => file(dir, 'edges.osop.yaml', `${head('edges')}nodes:\n  - { id: a, type: system, subtype: router }\n  - { id: b, type: system, subtype: router }\nedges:\n${'  - { from: a, to: b }\n'.repeat(100_000)}`),
  },
  {
    name: 'invalid-utf8',
    what: 'a byte that is not UTF-8 in a name',
    code: 'OSOP1009',
    write: (dir) => file(dir, 'utf8.osop.yaml', Buffer.concat([Buffer.from(`${head('utf8')}description: "caf`), Buffer.from([0xe9, 0x20]), Buffer.from('"\nnodes:\n  - { id: a, type: system }\n')])),
  },
  {
    name: 'long-line',
    what: 'an error at the end of a 100 KB line',
    code: 'OSOP3007',
    write: (dir) => file(dir, 'line.osop.yaml', `${head('line')}nodes:\n  - { id: a, type: api, runtime: { url: "https://x.example.com/${'x'.repeat(100_000)}\${nope.z}" } }\n`),
  },
  {
    name: 'workflow-ref-chain',
    what: 'a chain of 6,000 workflows, each starting the next',
    code: 'OSOP3022',
    write: (dir) => {
      const sub = path.join(dir, 'chain');
      fs.mkdirSync(sub, { recursive: true });
      for (let i = 0; i < 6000; i++) file(sub, `w${i}.osop.yaml`, `${head(`w${i}`)}nodes:\n  - { id: a, type: system${i < 5999 ? `, workflow_ref: w${i + 1}` : ', subtype: router'} }\n`);
      return path.join(sub, 'w0.osop.yaml');
    },
  },
  {
    name: 'imports-outside',
    what: "imports that leave the workflow's folder",
    code: 'OSOP3021',
    write: (dir) => {
      const sub = path.join(dir, 'inner');
      fs.mkdirSync(sub, { recursive: true });
      return file(sub, 'out.osop.yaml', `${head('out')}imports: ["../../../etc/passwd", "/etc/hosts"]\nnodes:\n  - { id: a, type: system, workflow_ref: passwd }\n`);
    },
  },
  {
    name: 'handler-outside',
    what: "an x-sfn handler that leaves the workflow's folder",
    code: 'OSOP2009',
    write: (dir) => file(dir, 'handler.osop.yaml', `${head('handler')}nodes:\n  - { id: a, type: cli, x-sfn: { handler: ../../../etc/passwd } }\n`),
  },
];
