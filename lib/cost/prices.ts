/**
 * The price table (`prices.json`, one file: region-aware, with the date the
 * prices were taken and their sources) and `--prices FILE`, which replaces it
 * and must have the same shape.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import builtIn from './prices.json';

const money = z.number().nonnegative();
const RegionPrices = z.strictObject({
  /** Standard: one state transition. */
  standardPerTransition: money,
  /** Express: one request (an execution started). */
  expressPerRequest: money,
  /** Express: one GB-second of duration (64 MB chunks, 100 ms rounded up). */
  expressPerGbSecond: money,
  lambdaPerRequest: money,
  lambdaPerGbSecond: money,
  codebuildPerMinute: money.optional(),
  eventBridgePerEvent: money.optional(),
});
const PriceTable = z.strictObject({
  about: z.string().optional(),
  taken: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
  sources: z.array(z.string()).min(1),
  currency: z.string(),
  freeTier: z.strictObject({ standardTransitions: z.number().int().nonnegative(), lambdaRequests: z.number().int().nonnegative(), lambdaGbSeconds: z.number().nonnegative() }),
  regions: z.record(z.string(), RegionPrices),
});

export type PriceTable = z.infer<typeof PriceTable>;
export type RegionPrices = z.infer<typeof RegionPrices>;

export class PriceError extends Error {}

export const BUILT_IN_PRICES: PriceTable = PriceTable.parse(builtIn);

/** Read a price table from a file; a clear message (never a stack) when it cannot be used. */
export function readPrices(file: string): PriceTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new PriceError(`cannot read the price file '${file}'.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PriceError(`the price file '${file}' is not JSON: ${(e as Error).message}`);
  }
  const r = PriceTable.safeParse(json);
  if (!r.success) {
    const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new PriceError(`the price file '${file}' does not have the shape of lib/cost/prices.json: ${first.join('; ')}`);
  }
  return r.data;
}

export function pricesFor(table: PriceTable, region: string): RegionPrices {
  const p = table.regions[region];
  if (!p) throw new PriceError(`no prices for region '${region}' (the table has ${Object.keys(table.regions).join(', ')}); pass --prices FILE with that region.`);
  return p;
}
