// The verdict model through the whole daemon (startKiosk: simulated reader, UI WebSocket, integration API,
// memory printer, audit trail): a real licence flow on a virtual licence with no EF07 verification key
// configured ends `chip-read` (read from the chip, data not proven). Whatever the session ran under, the
// screen state, the receipt (ESC/POS bytes and the SVG the demo shows), the signed result (JWS) and the
// audit record agree on verdict, authenticity, holder binding and checks, and none of them says verified:
//   - no policy (walk-up): refused, DOCUMENT_NOT_PROVEN;
//   - age-20 by API: refused, DOCUMENT_NOT_PROVEN, no age answer;
//   - a policy with acceptChipRead: chip-read, 「ICチップ読取のみ（署名未検証）」 on screen and receipt.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Browser } from 'playwright-core';
import { LicenseCard, syntheticHolder } from '../../../drivers/sim/license/index.ts';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { transcript } from '../../../drivers/sim/printer/document.ts';
import { verifyReceiptToken } from '../../../drivers/printer/token.ts';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { verifyResultToken, type ResultClaims } from '../../../daemon/api/result-token.ts';
import { launchBrowser } from '../../harness/browser.ts';
import { revocationGood, waitUntil } from '../../harness/jpki.ts';
import { screen, shot } from '../../e2e/helpers.ts';

// A synthetic holder aged over 20 on any date this test runs (the age policy must refuse for lack of proof,
// not for age).
const HOLDER = { ...syntheticHolder(), birthDate: '1990-04-01' };
const PIN1 = '1234';
const CHIP_READ_JA = 'ICチップ読取のみ（署名未検証）';
const CHIP_READ_EN = 'IC chip read only (signature not verified)';

let dir: string;
let kiosk: Kiosk;
let browser: Browser;
let ws: WebSocket;
const states: KioskState[] = [];
let ended = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-chip-read-'));
  const cfg = parseConfig({
    kioskId: 'kiosk-chip-read',
    server: { port: 0 },
    reader: { backend: 'simulated' },
    documents: ['license'],
    // No licence EF07 key: the licence flow cannot prove the data (trust.license is empty).
    trust: { license: [] },
    audit: { db: join(dir, 'audit.db') },
    health: { port: 0, diskPath: dir },
    api: { enabled: true, port: 0 },
    printer: { transport: 'memory' },
    timeouts: { resultMs: 60_000 },
    policies: { 'license-clerk': { documents: ['license'], disclose: [], acceptChipRead: true } },
  });
  [kiosk, browser] = await Promise.all([startKiosk({ config: cfg, simulated: true, revocation: revocationGood }), launchBrowser()]);
  kiosk.runtime.events.on('session-ended', () => ended++);
  let prev: KioskState['phase'] = 'idle';
  kiosk.runtime.events.on('state', (s) => {
    if (s.phase === 'secret-entry' && prev !== 'secret-entry' && s.entry) {
      // The holder types PIN1 on the keypad (the only secret asked without a licence key).
      expect(s.entry.purpose).toBe('license-pin1');
      setImmediate(() => [...PIN1, 'enter'].forEach((k) => kiosk.runtime.key(k)));
    }
    prev = s.phase;
  });
  ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${encodeURIComponent(kiosk.server.token)}`);
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { type: string; state?: KioskState };
    if (m.type === 'state' && m.state) states.push(m.state);
  });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
}, 60_000);

afterAll(async () => {
  ws?.close();
  await browser?.close();
  await kiosk?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const reader = () => kiosk.reader as SimulatedReaderDriver;
const card = () => new LicenseCard({ holder: HOLDER, pins: { pin1: PIN1, pin2: '5678' } });

interface Seen {
  result: ResultView;
  screenResult: ResultView;
  receipt: string;
  receiptSvg: string;
  receiptToken: string;
  audit: Record<string, unknown>;
}

/** One session with a card on the reader; what each output said about it. */
async function session(onResult?: () => Promise<void>): Promise<Seen> {
  const before = ended;
  const printer = kiosk.peripherals.virtualPrinter!;
  const printed = printer.receipts.length;
  reader().insert(card());
  await waitUntil(() => ended === before + 1, 20_000, 'session end');
  await waitUntil(() => printer.receipts.length === printed + 1, 10_000, 'receipt');
  const result = kiosk.runtime.getState().result!;
  await waitUntil(() => states.at(-1)?.phase === 'result', 5000, 'result frame');
  const screenResult = states.at(-1)!.result!;
  await onResult?.();
  const receipt = transcript(printer.receipts.at(-1)!);
  const receiptSvg = kiosk.peripherals.lastReceiptSvg()!;
  const receiptToken = /IDK1:[A-Z2-7]+/.exec(receipt)![0];
  const rows = kiosk.operations.audit!.store.db.prepare('SELECT body FROM records ORDER BY seq').all() as { body: string }[];
  const audit = JSON.parse(rows.at(-1)!.body) as Record<string, unknown>;
  reader().remove();
  await waitUntil(() => ['idle', 'result'].includes(kiosk.runtime.getState().phase), 5000, 'card out');
  kiosk.runtime.cancel();
  await waitUntil(() => kiosk.runtime.getState().phase === 'idle', 5000, 'idle');
  return { result, screenResult, receipt, receiptSvg, receiptToken, audit };
}

async function apiSession(policy: string, onResult?: () => Promise<void>): Promise<Seen & { claims: ResultClaims }> {
  const api = kiosk.api!;
  const started = await fetch(`${api.url}/v1/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ policy, nonce: `n-${policy}` }),
  });
  expect(started.status).toBe(201);
  const { id } = (await started.json()) as { id: string };
  const seen = await session(onResult);
  const done = (await (await fetch(`${api.url}/v1/verifications/${id}`)).json()) as { result: { verdict: string; token: string } };
  const check = verifyResultToken(done.result.token, kiosk.deviceKey.publicKey);
  if (!check.valid) throw new Error(`JWS invalid: ${check.reason}`);
  expect(done.result.verdict).toBe(check.claims.verdict);
  return { ...seen, claims: check.claims };
}

/** Every output agrees with the session's result, and none of them says verified. */
function expectAgreement(s: Seen, claims: ResultClaims | null, verdict: 'chip-read' | 'refused', tokenVerdict: 'chip-read' | 'refused') {
  // The licence flow itself: the chip was read with PIN1, the data not proven (no key).
  expect(s.result).toMatchObject({ document: 'license', outcome: verdict, authenticity: 'chip-read', holderBinding: 'pin' });
  expect(Object.keys(s.result.checks ?? {}).length).toBeGreaterThan(0);
  const model = {
    outcome: s.result.outcome,
    authenticity: s.result.authenticity,
    holderBinding: s.result.holderBinding,
    checks: s.result.checks,
    reasons: s.result.reasons,
  };
  // Screen: the state frame carries the same model.
  expect({
    outcome: s.screenResult.outcome,
    authenticity: s.screenResult.authenticity,
    holderBinding: s.screenResult.holderBinding,
    checks: s.screenResult.checks,
    reasons: s.screenResult.reasons,
  }).toEqual(model);
  // Audit: the same three fields and verdict.
  expect(s.audit).toMatchObject({ verdict, authenticity: 'chip-read', holderBinding: 'pin', checks: s.result.checks, reasons: s.result.reasons });
  // JWS: the same.
  if (claims) expect(claims).toMatchObject({ verdict, authenticity: 'chip-read', holderBinding: 'pin', checks: s.result.checks, reasons: s.result.reasons });
  // Receipt: authenticity and binding in words; the QR token's verdict; never 確認済 / VERIFIED.
  expect(s.receipt).toContain('署名未検証 Signature not verified');
  expect(s.receipt).toContain('暗証番号 PIN');
  expect(s.receipt).not.toContain('確認済');
  expect(s.receipt.replace(/NOT VERIFIED/g, '')).not.toMatch(/\bVERIFIED\b/);
  expect(s.receiptSvg.replace(/NOT VERIFIED/g, '')).not.toMatch(/確認済|\bVERIFIED\b/);
  const token = verifyReceiptToken(s.receiptToken, kiosk.deviceKey.publicKey);
  expect(token).toMatchObject({ valid: true, fields: { verdict: tokenVerdict, documentType: 'drivers-licence' } });
  // Nowhere 'verified' as a verdict.
  for (const text of [JSON.stringify(s.screenResult), JSON.stringify(s.audit), claims ? JSON.stringify(claims) : ''])
    expect(text).not.toMatch(/"(verdict|outcome)":"verified"/);
}

describe('chip-read through the whole daemon', () => {
  it('without a policy: refused with DOCUMENT_NOT_PROVEN, and every output agrees', async () => {
    const s = await session();
    expect(s.result.reasons).toContain('DOCUMENT_NOT_PROVEN');
    expect(s.receipt).toContain('[C,B,2x] 確認できません\n[C,B,2x] NOT VERIFIED\n');
    expect(s.receipt).toContain('DOCUMENT_NOT_PROVEN');
    expectAgreement(s, null, 'refused', 'refused');
    // Legal-method entries of a result that proved nothing satisfy nothing.
    expect(s.result.policy!.legal.entries.length).toBe(4);
    expect(s.result.policy!.legal.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
  }, 60_000);

  it('age-20 (integration API): refused, no age answer, even for a holder over 20', async () => {
    const s = await apiSession('age-20');
    expect(s.result.reasons).toContain('DOCUMENT_NOT_PROVEN');
    expect(s.result.policy).toMatchObject({ name: 'age-20', age: { threshold: 20, over: null } });
    expect(s.claims.policy).toMatchObject({ name: 'age-20', age: { threshold: 20, over: null } });
    expect(s.audit).toMatchObject({ policy: { id: 'age-20', age: { threshold: 20, over: null } } });
    expect(s.receipt).toContain('判定不可 N/A');
    expect(s.receipt).not.toContain('はい YES');
    expectAgreement(s, s.claims, 'refused', 'refused');
  }, 60_000);

  it('a policy with acceptChipRead: chip-read everywhere, 「ICチップ読取のみ（署名未検証）」 on screen and receipt', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.server.url);
    await screen(page, 'idle');
    let headline = '';
    let bodyText = '';
    const s = await apiSession('license-clerk', async () => {
      await screen(page, 'result', 20_000);
      await expect.poll(() => page.textContent('#headline')).toBe(CHIP_READ_JA);
      headline = (await page.textContent('#headline')) ?? '';
      bodyText = (await page.textContent('body')) ?? '';
      expect(await page.textContent('#icon')).toBe('!');
      await shot(page, 'chip-read-accepted');
    });
    await page.close();
    expect(headline).toBe(CHIP_READ_JA);
    expect(bodyText).not.toContain('本人確認できました');
    expect(s.result.reasons).toEqual([]);
    expect(s.claims.policy).toMatchObject({ name: 'license-clerk', age: null });
    expect(s.claims.policy!.legal.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
    expect(s.receipt).toContain(CHIP_READ_JA);
    expect(s.receipt).toContain(CHIP_READ_EN);
    expect(s.receiptSvg).toContain(CHIP_READ_JA);
    expectAgreement(s, s.claims, 'chip-read', 'chip-read');
  }, 90_000);
});
