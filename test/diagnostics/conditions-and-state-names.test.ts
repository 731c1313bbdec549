/**
 * Issue 11: a secret in a condition is OSOP4005 (a secret where its value would
 * reach the state data), not a syntax error; OSOP5006 (state name too long)
 * points at the node whose id makes the name.
 */
import { compile } from '../../lib';

const HEAD = 'osop_version: "1.1"\nid: t\nname: t\n';
const A = 'nodes:\n  - { id: a, type: api, outputs: [status], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n';
const run = (source: string) => compile('/tmp/t.osop.yaml', { source: HEAD + source });

describe('a secret in a condition', () => {
  it.each([
    ['a bare secrets.NAME', 'a.status == secrets.TOKEN', 'secrets.TOKEN'],
    ['a ${secrets.NAME} template', 'a.status == ${secrets.TOKEN}', '${secrets.TOKEN}'],
    ['${secrets.NAME} inside a string literal', "a.status == '${secrets.TOKEN}'", '${secrets.TOKEN}'],
    ['a secret beside other conditions', "a.status == 'ok' && secrets.TOKEN != ''", 'secrets.TOKEN'],
  ])('%s is OSOP4005 at the secret', (_what, when, shown) => {
    const r = run(`${A}edges:\n  - { from: a, to: b, mode: conditional, when: "${when}" }\n  - { from: a, to: c }\n`);
    expect(r.ok).toBe(false);
    const ds = r.diagnostics.filter((d) => d.severity === 'error');
    expect(ds.map((d) => d.code)).toEqual(['OSOP4005']);
    const line = ds[0].sourceLine!;
    expect(ds[0].line).toBe(9);
    expect(line.slice(ds[0].column - 1, ds[0].column - 1 + shown.length)).toBe(shown);
  });

  it('in a switch subject too', () => {
    const r = run(`${A}edges:\n  - { from: a, to: b, mode: switch, when: "secrets.TOKEN", cases: [{ value: x, to: b }], default_to: c }\n`);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['OSOP4005']);
  });

  it('a syntax error stays OSOP4001', () => {
    const r = run(`${A}edges:\n  - { from: a, to: b, mode: conditional, when: "a.status == " }\n  - { from: a, to: c }\n`);
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['OSOP4001']);
  });
});

describe('OSOP5006 state name too long', () => {
  it("points at the id of the node whose added state's name is too long", () => {
    const id = 'n'.repeat(78);
    const r = run(
      `nodes:\n  - { id: x, type: system, subtype: router }\n  - { id: ${id}, type: api, outputs: [status], runtime: { url: "https://api.example.com/a" } }\n  - { id: b, type: system, subtype: router }\n  - { id: c, type: system, subtype: router }\n` +
        `edges:\n  - { from: x, to: ${id} }\n  - { from: ${id}, to: b, mode: conditional, when: "${id}.status == 200" }\n  - { from: ${id}, to: c, mode: conditional, when: "${id}.status != 200" }\n`,
    );
    const d = r.diagnostics.find((x) => x.code === 'OSOP5006');
    expect(d).toBeDefined();
    expect(d!.message).toContain(`'${id}:route'`);
    expect([d!.line, d!.column]).toEqual([6, 11]);
    expect(d!.sourceLine).toContain(`id: ${id}`);
    expect(d!.hint).toContain('Shorten the node id');
  });
});
