// npm run bench:session — one JPKI user authentication through the real stack, repeated:
// pcsclite → pcscd → vsmartcard-vpcd → TCP loopback (quickack, private netns) → virtual card.
// Reports APDU count and wall time per authentication (median of ≥ 20 runs), and how much of it the
// virtual card itself spent computing (its RSA signature), so the host-side cost is visible.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardSession } from '../drivers/reader/card-session.ts';
import { PcscReaderDriver } from '../drivers/reader/pcsc-binding.ts';
import { VpcdClient } from '../drivers/sim/vpcd-client.ts';
import { issueCrl } from '../drivers/sim/crl-issuer.ts';
import { readJpkiAuth } from '../daemon/documents/mynumber/jpki-auth.ts';
import { assessJpkiAuth } from '../daemon/documents/mynumber/jpki-auth-verdict.ts';
import { CrlRevocationChecker } from '../daemon/trust/crl/checker.ts';
import { importCrl } from '../daemon/trust/crl/importer.ts';
import { startPcscd } from '../test/harness/pcscd.ts';
import { jpkiCard, testCa, testTrust } from '../test/harness/jpki.ts';

const RUNS = Number(process.env.RUNS ?? 25);
const WARMUP = 3;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p90: q(0.9), min: s[0]!, max: s[s.length - 1]! };
}

const pcscd = await startPcscd();
const dir = mkdtempSync(join(tmpdir(), 'idkiosk-bench-'));
writeFileSync(join(dir, 'ca.crl'), issueCrl(testCa()));
importCrl(join(dir, 'store'), join(dir, 'ca.crl'), testCa().x509);
const revocation = new CrlRevocationChecker({ store: join(dir, 'store') });
const trust = testTrust();

const card = jpkiCard();
let cardMs = 0;
const process0 = card.process.bind(card);
card.process = (apdu: Buffer) => {
  const t = performance.now();
  const r = process0(apdu);
  cardMs += performance.now() - t;
  return r;
};
const client = new VpcdClient(card, { port: pcscd.port });
await client.insert();

const driver = new PcscReaderDriver();
driver.start();
while (!driver.readers().some((r) => r.present)) await new Promise((r) => setTimeout(r, 10));

const totals: number[] = [];
const hostOnly: number[] = [];
const perApdu: number[] = [];
let apdus = 0;
let verdict = '';
for (let i = 0; i < RUNS + WARMUP; i++) {
  cardMs = 0;
  let count = 0;
  const t0 = performance.now();
  const channel = await driver.connect(pcscd.readerName);
  const session = new CardSession(channel, { onExchange: () => count++ });
  const ev = await readJpkiAuth(session, { prompt: async () => Buffer.from('1234') });
  const result = await assessJpkiAuth(ev, { trust, revocation, at: new Date() });
  await channel.disconnect();
  const total = performance.now() - t0;
  if (i >= WARMUP) {
    totals.push(total);
    hostOnly.push(total - cardMs);
    perApdu.push(total / count);
  }
  apdus = count;
  verdict = result.verdict;
}
await driver.stop();
await client.close();
await pcscd.stop();

const f = (x: number) => x.toFixed(2);
const t = stats(totals);
const h = stats(hostOnly);
const p = stats(perApdu);
console.log(`JPKI user authentication through pcscd + vpcd (${RUNS} runs after ${WARMUP} warm-up; verdict: ${verdict})`);
console.log(`  APDUs per authentication            ${apdus} (incl. GET RESPONSE/retries, excl. connect/disconnect)`);
console.log(`  wall time per authentication (ms)   median ${f(t.median)}  p90 ${f(t.p90)}  min ${f(t.min)}  max ${f(t.max)}`);
console.log(`  minus virtual-card compute (ms)     median ${f(h.median)}  p90 ${f(h.p90)}`);
console.log(`  per APDU round trip (ms)            median ${f(p.median)}`);
console.log(`  environment: node ${process.version}, quickack loopback: ${process.env.IDKIOSK_TESTNET === '1' ? 'yes' : 'no'}`);
