import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const SEED = path.join(ROOT, 'workflows', 'stripe-payment.osop.yaml');
export const CLI = path.join(ROOT, 'bin', 'osop-sfn.js');
export const RESULTS_FILE = path.join(ROOT, 'bench-results.json');
