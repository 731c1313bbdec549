import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const SEED = path.join(ROOT, 'workflows', 'stripe-payment.osop.yaml');
export const CORPUS = path.join(SHARED, 'osop-corpus');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
