/** Runs the built command line (`node bin/osop-sfn.js`) as users and CI do. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/paths';

export const BIN = path.join(ROOT, 'bin', 'osop-sfn.js');
const DIST = path.join(ROOT, 'dist', 'cli.js');
const LOCK = path.join(ROOT, 'dist', '.build-lock');
/** scripts/build.js writes the handler bundles with dist/cli.js (the CDK construct deploys them). */
const HANDLER_BUNDLE = path.join(ROOT, 'dist', 'handlers', 'rest', 'index.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** `node scripts/build.js` when dist/cli.js or the handler bundles are missing, or dist/cli.js is older than a source file; one test file at a time. */
export function ensureBuilt(): void {
  const stale = () => !fs.existsSync(DIST) || !fs.existsSync(HANDLER_BUNDLE) || fs.statSync(DIST).mtimeMs < Math.max(...['lib', 'lambdas', 'sandbox'].map((d) => newestSource(path.join(ROOT, d))));
  if (!stale()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${LOCK} is held for too long; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (stale()) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    fs.rmdirSync(LOCK);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns the CLI without blocking this process (a sandbox it talks to may run
 * here). The environment is this one's minus the secrets, plus `env`.
 */
export function cli(args: string[], env: Record<string, string> = {}, options: { nodeOptions?: string } = {}): Promise<CliResult> {
  const base = { ...process.env };
  for (const k of ['STRIPE_SECRET_KEY', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'OSOP_ROUTES']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...base, NO_COLOR: '1', ...(options.nodeOptions && { NODE_OPTIONS: options.nodeOptions }), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
