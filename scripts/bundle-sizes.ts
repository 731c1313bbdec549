/**
 * Bundles each handler as scripts/build.js does for deployment (dist/handlers:
 * esbuild, platform node, target node22, minified CommonJS, `@aws-sdk/*` left
 * to the Lambda runtime; here without the source map) and reports the size of
 * each bundle.
 *
 *   npx tsx scripts/bundle-sizes.ts
 */
import { build } from 'esbuild';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HANDLERS = {
  rest: join(__dirname, '..', 'lambdas', 'rest', 'index.ts'),
  agent: join(__dirname, '..', 'lambdas', 'agent', 'index.ts'),
  'agent-openai': join(__dirname, '..', 'lambdas', 'agent-openai', 'index.ts'),
  approval: join(__dirname, '..', 'lambdas', 'approval', 'index.ts'),
  mcp: join(__dirname, '..', 'lambdas', 'mcp', 'index.ts'),
};

export type HandlerName = keyof typeof HANDLERS;

/** Bundles one handler into `outfile` as the deployment does. */
export async function bundleHandler(name: HandlerName, outfile: string): Promise<void> {
  await build({
    entryPoints: [HANDLERS[name]],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
  });
}

/** Minified bundle size of each handler, in bytes. */
export async function measureBundles(): Promise<Record<HandlerName, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'osop-bundles-'));
  try {
    const sizes = {} as Record<HandlerName, number>;
    for (const name of Object.keys(HANDLERS) as HandlerName[]) {
      const outfile = join(dir, name, 'index.js');
      await bundleHandler(name, outfile);
      sizes[name] = (await stat(outfile)).size;
    }
    return sizes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureBundles().then(
    (sizes) => {
      for (const [name, bytes] of Object.entries(sizes)) console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(1)} KB`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
