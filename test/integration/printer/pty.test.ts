// The real serialport through a socat PTY pair, the virtual printer on the other end.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../core/log.ts';
import { Printer, type PrinterOptions } from '../../../drivers/printer/printer.ts';
import { buildVerificationReceipt, newReference } from '../../../drivers/printer/receipt-content.ts';
import type { Receipt } from '../../../drivers/printer/receipt.ts';
import { SerialTransport } from '../../../drivers/printer/serial-transport.ts';
import { createReceiptToken, es256Signer, verifyReceiptToken } from '../../../drivers/printer/token.ts';
import { attachVirtualPrinter, type AttachedPrinter } from '../../../drivers/sim/printer/attach-serial.ts';
import { transcript } from '../../../drivers/sim/printer/document.ts';
import { renderSvg } from '../../../drivers/sim/printer/svg.ts';
import { VirtualPrinter, type VirtualPrinterOptions } from '../../../drivers/sim/printer/virtual-printer.ts';
import { PtyPair } from './socat-pty.ts';
import printerCommand from '../../../daemon/cli/commands/printer.ts';

const ARTIFACTS = new URL('../../../.test-artifacts/printer/', import.meta.url);
const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pty: PtyPair;
let attached: AttachedPrinter | null;
let printer: Printer | null;
beforeEach(async () => {
  pty = new PtyPair();
  await pty.start();
  attached = null;
  printer = null;
});
afterEach(async () => {
  await printer?.stop();
  await attached?.close();
  await pty.stop();
});

async function setup(vpOpts: VirtualPrinterOptions = {}, opts: PrinterOptions = {}) {
  attached = await attachVirtualPrinter(pty.b, vpOpts);
  const log = memoryLogger();
  printer = new Printer(new SerialTransport({ path: pty.a, baudRate: 38400, flowControl: 'none' }), {
    pollMs: 60_000,
    asbPollMs: 60_000,
    reconnectMs: 50,
    rtTimeoutMs: 200,
    confirmTimeoutMs: 1000,
    recoveryTimeoutMs: 5000,
    log,
    ...opts,
  });
  await printer.start();
  return { vp: attached.printer, printer, log };
}

async function japaneseReceipt(): Promise<{ receipt: Receipt; token: string }> {
  const issuedAt = new Date();
  const reference = newReference(issuedAt);
  const token = await createReceiptToken(
    { issuedAt, verdict: 'ok', kioskId: 'KIOSK-TKY-01', reference, documentType: 'residence-card', method: 'chip-passive-auth' },
    es256Signer(device.privateKey),
    device.publicKey,
  );
  const receipt = buildVerificationReceipt(
    {
      kioskId: 'KIOSK-TKY-01',
      operatorId: 'OP-042',
      issuedAt,
      documentType: 'residence-card',
      method: 'chip-passive-auth',
      verdict: 'ok',
      reference,
      holderName: '髙橋 花子',
      token,
    },
    { nameMask: 'family' },
  );
  return { receipt, token };
}

describe('printer over a real PTY (socat) with the virtual printer', () => {
  for (const qr of ['native', 'raster'] as const) {
    it(`a Japanese receipt with a ${qr} QR round-trips, renders to SVG, and its token verifies`, async () => {
      const { vp, printer } = await setup();
      (printer as unknown as { render: { qr: string } }).render.qr = qr;
      expect(printer.state()).toBe('ready');
      const { receipt, token } = await japaneseReceipt();
      const t0 = performance.now();
      const out = await printer.print(receipt).done;
      const ms = performance.now() - t0;
      expect(out).toMatchObject({ status: 'confirmed', attempts: 1 });
      expect(vp.errors).toEqual([]);
      const printed = vp.lastReceipt()!;
      const text = transcript(printed);
      expect(text).toContain('在留カード');
      expect(text).toContain('髙橋 ＊＊');
      expect(text).toContain('確認済 VERIFIED');
      const svg = renderSvg(printed);
      expect(svg).toContain('髙橋 ＊＊');
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(new URL(`receipt-${qr}.svg`, ARTIFACTS), svg);
      writeFileSync(new URL(`receipt-${qr}.txt`, ARTIFACTS), text);
      if (qr === 'native') {
        const sym = printed.items.find((i) => i.kind === 'qr');
        expect(sym?.kind).toBe('qr');
        const scanned = sym!.kind === 'qr' ? sym!.data.toString('latin1') : '';
        expect(scanned).toBe(token);
        expect(verifyReceiptToken(scanned, device.publicKey)).toMatchObject({ valid: true, fields: { kioskId: 'KIOSK-TKY-01', verdict: 'ok' } });
      } else {
        expect(printed.items.some((i) => i.kind === 'raster')).toBe(true);
      }
      expect(ms).toBeLessThan(3000);
    });
  }

  it('fragmented status bytes (one byte per write) are reassembled', async () => {
    const { vp, printer } = await setup({ fragmentReplies: 3 });
    await sleep(50);
    expect(printer.state()).toBe('ready');
    // GS a answered with an ASB frame over the real port: the idle poll is the long one (60 s here), and
    // the paper change below arrives by ASB alone
    expect(printer.link.asbActive()).toBe(true);
    expect(printer.link.pollIntervalMs()).toBe(60_000);
    vp.setPaper('near-end');
    await sleep(100);
    expect(printer.state()).toBe('paper-near-end');
    const out = await printer.print((await japaneseReceipt()).receipt).done;
    expect(out.status).toBe('confirmed');
    expect(printer.link.strayBytes).toBe(0);
  });

  it('paper end mid-job → paper-end state, reprint after paper is loaded, nothing lost', async () => {
    const { vp, printer } = await setup();
    vp.runOutOfPaperAfter(5);
    const job = printer.print((await japaneseReceipt()).receipt);
    await sleep(150);
    expect(printer.state()).toBe('paper-end');
    expect(printer.isUsable()).toBe(false);
    vp.setPaper('ok');
    const out = await job.done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['paper-end'] });
    expect(transcript(vp.lastReceipt()!)).toContain('再印刷 REPRINT');
    writeFileSync(new URL('receipt-after-paper-end.svg', ARTIFACTS), renderSvg(vp.receipts[0]!));
  });

  it('cover open mid-job → cover-open state, reprint after it is closed', async () => {
    const { vp, printer } = await setup();
    vp.openCoverAfter(4);
    const job = printer.print((await japaneseReceipt()).receipt);
    await sleep(150);
    expect(printer.state()).toBe('cover-open');
    vp.setCover(false);
    expect(await job.done).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['cover-open'] });
  });

  it('unplugged (socat killed) → disconnected with the job kept; replugged → reconnects and reprints', async () => {
    // this printer takes the job but its end-of-job reply is lost with the cable
    const { printer } = await setup({ answerGsr: false });
    const keep = new VirtualPrinter();
    const job = printer.print((await japaneseReceipt()).receipt);
    await sleep(50);
    await attached!.close();
    await pty.kill();
    await sleep(200);
    expect(printer.state()).toBe('disconnected');
    expect(printer.health()).toMatchObject({ queued: 1, usable: false });
    await pty.start();
    attached = await attachVirtualPrinter(pty.b, { printer: keep });
    const out = await job.done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['disconnected'] });
    expect(printer.state()).toBe('ready');
    expect(transcript(keep.lastReceipt()!)).toContain('在留カード');
  });

  it('CLI: `printer status --json` and `printer test-page --port` against the PTY', async () => {
    attached = await attachVirtualPrinter(pty.b);
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), readStdin: async () => '' };
    expect(await printerCommand.run(['status', '--json', '--port', pty.a, '--flow', 'none'], io)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ transport: `serial ${pty.a} @ 38400`, state: 'ready', usable: true });
    attached.printer.setPaper('end');
    out.length = 0;
    expect(await printerCommand.run(['status', '--json', '--port', pty.a, '--flow', 'none'], io)).toBe(1);
    expect(JSON.parse(out.join(''))).toMatchObject({ state: 'paper-end', usable: false });
    attached.printer.setPaper('ok');
    expect(await printerCommand.run(['test-page', '--port', pty.a, '--flow', 'none'], io)).toBe(0);
    expect(transcript(attached.printer.lastReceipt()!)).toContain('テストページ');
  });
});
