/**
 * `osop-sfn run` on a user handler (`x-sfn: { handler }`) whose runtime holds
 * templates and a secret: the handler sees the input and the earlier output
 * filled in and the secret resolved from the local secret store (the
 * environment variable of that name), by the same wrapper the deployed
 * function runs in; the secret's value appears nowhere in what the run prints.
 */
import * as path from 'node:path';
import { FIXTURES } from '../helpers/paths';
import { cli, ensureBuilt } from './helpers';

const TEMPLATED = path.join(FIXTURES, 'local', 'templated-handler.osop.yaml');
const TOKEN = 'tok-local-9b1e77';

beforeAll(() => ensureBuilt());

test('templates filled in, the secret resolved before the handler runs, and redacted from its result', async () => {
  const r = await cli(['run', TEMPLATED, '--input', '{"channel":"stable"}', '--output', 'json'], { PUBLISH_TOKEN: TOKEN, EXPECTED_PUBLISH_TOKEN: TOKEN });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const out = JSON.parse(r.stdout);
  const sha = out.checkout.sha as string;
  expect(sha).toMatch(/^[0-9a-f]{40}$/);
  expect(out.publish).toEqual({
    target: `stable@${sha}`,
    sha,
    channels: ['stable', 'beta'],
    // $${...} is a literal ${...}.
    literal: '${inputs.channel}',
    retries: 2,
    authorised: true,
    echoed: 'Bearer [REDACTED]',
    listed: false,
  });
  expect(r.stdout).not.toContain(TOKEN);
});

test('a secret that is not set stops the run before it starts, naming it (as for the other handlers)', async () => {
  const r = await cli(['run', TEMPLATED, '--input', '{"channel":"stable"}']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('The workflow reads the secret(s) PUBLISH_TOKEN; locally each is the environment variable of that name, and it is not set.');
});
