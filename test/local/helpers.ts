/** Shared pieces of the local-runner tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import type { AslDefinition, CompileReport } from '../../lib/types';
import { SEED } from '../helpers/paths';

export function compileSeed(): { definition: AslDefinition; report: CompileReport } {
  const r = compile(SEED);
  if (!r.ok || !r.definition || !r.report) throw new Error(`the seed does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { definition: r.definition, report: r.report };
}

export interface CardProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A pass-through proxy in front of the Stripe sandbox that makes the customer
 * pay with other Stripe test cards: the n-th distinct confirmation (by
 * Idempotency-Key, so a retry sends the same card) uses `cards[n]` instead of
 * the workflow's `pm_card_visa`; later ones are untouched. The sandbox then
 * applies that test card's documented outcome (a 402 decline for
 * pm_card_chargeDeclined, requires_action for pm_card_authenticationRequired).
 */
export async function startCardProxy(stripeUrl: string, cards: string[]): Promise<CardProxy> {
  const keys: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    const key = String(req.headers['idempotency-key'] ?? '');
    if (req.method === 'POST' && /\/confirm$/.test(req.url ?? '') && key) {
      if (!keys.includes(key)) keys.push(key);
      const card = cards[keys.indexOf(key)];
      if (card) {
        const form = new URLSearchParams(body);
        form.set('payment_method', card);
        body = form.toString();
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
    const upstream = await fetch(`${stripeUrl}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
    res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection'].includes(k))));
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
