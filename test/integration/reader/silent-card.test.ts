// A card that stops answering mid-session (issue 16 §4): the session ends with READER_TIMEOUT within the
// card timeout (+ margin) — for the one-shot CLI `read` and for the daemon — and the next card works.
// (The CLI prints its answer at the timeout; the process itself can only end once pcscd's call returns.)
// Through the real pcscd + vsmartcard-vpcd: the virtual card is wrapped with the generic link layer's
// `silentAfter` (drivers/sim/iso7816/link.ts), so vpcd, and pcscd's SCardTransmit above it, wait for an
// answer that never comes — the case a PC/SC client cannot interrupt.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscReaderDriver } from '../../../drivers/reader/pcsc-binding.ts';
import { LinkedCard } from '../../../drivers/sim/iso7816/link.ts';
import type { VirtualCard } from '../../../drivers/sim/virtual-card.ts';
import { VpcdClient } from '../../../drivers/sim/vpcd-client.ts';
import { jpkiAuthFlow } from '../../../daemon/documents/mynumber/jpki-auth-flow.ts';
import { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';
import { IDKIOSK_BIN, runIdkiosk } from '../../harness/cli.ts';
import { jpkiCard, revocationGood, testCa, testTrust, waitUntil } from '../../harness/jpki.ts';
import { startPcscd, type PcscdInstance } from '../../harness/pcscd.ts';

/** The card timeout `idkiosk read` uses (PcscOptions.transmitTimeoutMs default). */
const CLI_CARD_TIMEOUT_MS = 10_000;
/** Process start-up and the time to print the answer, on a loaded 2-core machine. */
const MARGIN_MS = 3_000;

let pcscd: PcscdInstance;
let client: VpcdClient | null = null;
let caFile: string;

beforeAll(async () => {
  pcscd = await startPcscd();
  caFile = join(mkdtempSync(join(tmpdir(), 'idkiosk-silent-')), 'ca.pem');
  writeFileSync(caFile, testCa().pem);
});
afterAll(async () => pcscd?.stop());
afterEach(async () => {
  await client?.close();
  client = null;
  await new Promise((r) => setTimeout(r, 600)); // let pcscd see the removal before the next card
});

/** Puts a card on the reader; resolves with the time its first APDU went unanswered (or null). */
async function present(card: VirtualCard): Promise<{ silentSince: () => number | null }> {
  let silentAt: number | null = null;
  client = new VpcdClient(card, { port: pcscd.port });
  client.on('unanswered', () => (silentAt ??= Date.now()));
  await client.insert();
  await new Promise((r) => setTimeout(r, 300));
  return { silentSince: () => silentAt };
}

async function pull(): Promise<void> {
  await client?.close();
  client = null;
  await new Promise((r) => setTimeout(r, 600));
}

describe('a card that goes silent mid-session', () => {
  it('idkiosk read: READER_TIMEOUT printed within the card timeout; the process ends when the card is pulled; the next card reads', async () => {
    const silent = await present(new LinkedCard(jpkiCard(), { silentAfter: 3 }));
    const p = spawn(process.execPath, [IDKIOSK_BIN, 'read', 'jpki-auth', '--trust', caFile, '--pin-stdin', '--json'], { env: process.env });
    let output = '';
    let answeredAt: number | null = null;
    const onData = (d: Buffer) => {
      output += String(d);
      if (answeredAt === null && output.includes('READER_TIMEOUT')) answeredAt = Date.now();
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    p.stdin.end('1234\n');
    await waitUntil(() => answeredAt !== null, CLI_CARD_TIMEOUT_MS + 15_000, 'READER_TIMEOUT from idkiosk read');
    const since = silent.silentSince();
    expect(since, 'the card never went silent').not.toBeNull();
    console.log(`read answered READER_TIMEOUT ${answeredAt! - since!} ms after the card went silent`);
    expect(answeredAt! - since!).toBeGreaterThanOrEqual(CLI_CARD_TIMEOUT_MS - 500);
    expect(answeredAt! - since!).toBeLessThan(CLI_CARD_TIMEOUT_MS + MARGIN_MS);
    expect(output).toContain('remove it');
    await waitUntil(() => output.includes('remove it from the reader to end this command'), 2000, 'the hint to remove the card');

    // SCardTransmit cannot be interrupted and Node's exit waits for it: the process ends once the card
    // is pulled (pcscd's call returns), with the error exit code.
    const pulledAt = Date.now();
    await pull();
    const code = await exited;
    console.log(`read exited ${Date.now() - pulledAt} ms after the card was pulled (600 ms of it waiting for pcscd)`);
    expect(code, output).toBe(2);
    expect(Date.now() - pulledAt).toBeLessThan(3000);

    await present(jpkiCard());
    const next = await runIdkiosk(['read', 'jpki-auth', '--trust', caFile, '--pin-stdin', '--json'], '1234\n');
    expect(JSON.parse(next.stdout), next.stderr).toMatchObject({ challengeSignature: 'valid', chain: 'valid' });
  }, 60_000);

  it('daemon: the session ends with READER_TIMEOUT within the configured timeout; a late answer goes nowhere; the next card verifies', async () => {
    const timeoutMs = 1500;
    const driver = new PcscReaderDriver({ transmitTimeoutMs: timeoutMs, minBackoffMs: 50, maxBackoffMs: 400 });
    const runtime = new KioskRuntime({ reader: driver, flow: jpkiAuthFlow({ trust: testTrust(), revocation: revocationGood }) });
    const phase = () => runtime.getState().phase;
    runtime.start();
    try {
      await waitUntil(() => phase() === 'idle', 5000, 'idle');

      // 1. Silent after 3 APDUs, and it stays on the reader for a while.
      const silent = await present(new LinkedCard(jpkiCard(), { silentAfter: 3 }));
      await waitUntil(() => phase() === 'result', timeoutMs + 3000, 'result after the timeout');
      const ended = Date.now();
      expect(runtime.getState().result).toMatchObject({ outcome: 'error', reasons: ['READER_TIMEOUT'] });
      expect(ended - silent.silentSince()!).toBeLessThan(timeoutMs + 1000);
      expect(ended - silent.silentSince()!).toBeGreaterThanOrEqual(timeoutMs - 100);
      // The event loop is not blocked while the stuck exchange waits (reader.close() would block it).
      const tick = Date.now();
      await new Promise((r) => setTimeout(r, 50));
      expect(Date.now() - tick).toBeLessThan(500);
      // The stuck SCardTransmit is still pending until the card goes; then the handle is released.
      expect(driver.hasStuckExchange()).toBe(true);
      await pull();
      await waitUntil(() => !driver.hasStuckExchange(), 3000, 'the stuck exchange to be released');

      // 2. A card that answers one APDU too late (after the timeout) and stays: its late answer must not
      //    reach any session, and the card is reset before anyone talks to it again.
      let slow = false;
      const late = jpkiCard();
      let lateAnswered = false;
      client = new VpcdClient(late, {
        port: pcscd.port,
        apduDelay: (_apdu, i) => (i === 2 ? ((slow = true), timeoutMs + 1000) : 0),
      });
      client.on('apdu', () => slow && (lateAnswered = true));
      const resets: string[] = [];
      client.on('power', (p) => resets.push(p));
      await client.insert();
      await waitUntil(() => phase() === 'result', timeoutMs + 4000, 'result after the slow APDU');
      expect(runtime.getState().result).toMatchObject({ outcome: 'error', reasons: ['READER_TIMEOUT'] });
      await waitUntil(() => lateAnswered, 3000, 'the late answer');
      await waitUntil(() => resets.includes('reset') || resets.includes('off'), 3000, 'the card reset after the late answer');
      await pull();

      // 3. The next card: a full, verified session.
      const good = jpkiCard();
      await present(good);
      await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN entry on the next card');
      for (const k of '1234') runtime.key(k);
      runtime.key('enter');
      await waitUntil(() => phase() === 'result', 5000, 'result of the next card');
      expect(runtime.getState().result).toMatchObject({ outcome: 'verified' });
      expect(good.signatureCount).toBe(1);
    } finally {
      await client?.close();
      client = null;
      await runtime.stop();
      await driver.stop();
    }
  }, 40_000);
});
