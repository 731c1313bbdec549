import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { measureBundles } from '../../scripts/bundle-sizes';

test('the REST and approval handler bundles stay under 50 KB (deployment build: minified, @aws-sdk external)', async () => {
  const sizes = await measureBundles();
  expect(sizes.rest).toBeLessThan(50 * 1024);
  // The approval handler uses the runtime's EventBridge client: only our code is bundled.
  expect(sizes.approval).toBeLessThan(50 * 1024);
  // The agent bundle carries the Anthropic SDK; it must at least have been built.
  expect(sizes.agent).toBeGreaterThan(sizes.rest);
});

test('importing the handlers loads neither the Anthropic SDK nor the AWS SDK', () => {
  const script = `
    require('./lambdas/agent');
    require('./lambdas/rest');
    require('./lambdas/approval');
    console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /@anthropic-ai|@aws-sdk/.test(k))));
  `;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual([]);
});
