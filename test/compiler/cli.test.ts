/**
 * The built command line (`node bin/osop-sfn.js`) as users and CI call it:
 * exit codes, diagnostics on stderr, ASL on stdout, and the compile path
 * staying free of aws-cdk-lib and the AWS SDK.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile } from '../../lib';
import { ensureBuilt } from '../cli/helpers';
import { ROOT, SEED } from '../helpers/paths';

const BIN = path.join(ROOT, 'bin', 'osop-sfn.js');

// Build once, under the lock the other CLI tests use (esbuild does not write atomically).
beforeAll(() => ensureBuilt());

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('osop-sfn', () => {
  it('compile prints the same ASL as compile() and exits 0 with warnings', () => {
    const r = cli(['compile', SEED]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(compile(SEED).definition);
    expect(r.stderr).toMatch(/stripe-payment\.osop\.yaml:98:16 - warning OSOP3012/);
  });

  it('compile -o writes the file and --report the compile report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-cli-'));
    const out = path.join(dir, 'seed.asl.json');
    const report = path.join(dir, 'report.json');
    const r = cli(['compile', SEED, '-o', out, '--report', report]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).StartAt).toBe('create_customer');
    expect(JSON.parse(fs.readFileSync(report, 'utf8')).handlers).toEqual(['agent', 'rest']);
  });

  it('prints a diagnostic like a compiler: position, source line, caret, hint; exit 1', () => {
    const file = tmpFile('bad.osop.yaml', 'id: x\nname: X\nnodes:\n  - id: a\n    type: apii\nedges: []\n');
    const r = cli(['check', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:5:11 - error OSOP2004: Unknown node type 'apii'.`);
    expect(r.stderr).toContain('5     type: apii\n            ^');
    expect(r.stderr).toContain("hint: Did you mean 'api'?");
    expect(r.stderr).toMatch(/1 file checked: 0 ok, 1 with errors/);
  });

  it('--diagnostics json prints one JSON object per line', () => {
    const file = tmpFile('bad.osop.yaml', 'id: x\nname: X\nnodes:\n  - id: a\n    type: apii\nedges: []\n');
    const r = cli(['check', file, '--diagnostics', 'json']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toContainEqual({ severity: 'error', code: 'OSOP2004', message: "Unknown node type 'apii'.", file, line: 5, column: 11, hint: "Did you mean 'api'?" });
  });

  it('check takes several files and fails if any fails; a directory is an error, not a crash', () => {
    const r = cli(['check', SEED, path.join(ROOT, 'workflows')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OSOP1002/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('usage errors exit 2', () => {
    expect(cli(['compile']).code).toBe(2);
    expect(cli(['nonsense']).code).toBe(2);
    expect(cli(['graph', SEED, '--format', 'png']).code).toBe(2);
    expect(cli(['check', SEED, '--diagnostics', 'xml']).code).toBe(2);
  });

  it('--help and --version exit 0', () => {
    expect(cli(['--help']).code).toBe(0);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('graph prints Mermaid and dot', () => {
    const m = cli(['graph', SEED]);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/^flowchart TD/);
    expect(m.stdout).toContain('-.->|"fallback"|');
    const d = cli(['graph', SEED, '--format', 'dot']);
    expect(d.stdout).toContain('"confirm_payment" -> "create_intent" [label="fallback", style=dashed];');
  });

  it('the compile path loads neither aws-cdk-lib nor an AWS SDK', () => {
    const probe = `
      const Module = require('module');
      const seen = [];
      const orig = Module._load;
      Module._load = function (req, ...rest) { seen.push(req); return orig.call(this, req, ...rest); };
      process.argv = [process.argv[0], 'osop-sfn', 'compile', ${JSON.stringify(SEED)}];
      require(${JSON.stringify(BIN)});
      process.on('exit', () => {
        const heavy = seen.filter((r) => /aws-cdk-lib|@aws-sdk|aws-local-stepfunctions|@anthropic-ai/.test(r));
        require('fs').writeSync(2, 'HEAVY:' + JSON.stringify(heavy) + '\\n');
      });
    `;
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('HEAVY:[]');
  });
});
