// The job queue against the virtual printer over an in-memory transport: confirmed, interrupted and
// reprinted, failed with a reason — never lost.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../core/log.ts';
import { Printer, type JobEvent, type PrinterOptions } from '../../../drivers/printer/printer.ts';
import type { Receipt } from '../../../drivers/printer/receipt.ts';
import { MemoryTransport } from '../../../drivers/printer/transport.ts';
import { transcript } from '../../../drivers/sim/printer/document.ts';
import { VirtualPrinter, type VirtualPrinterOptions } from '../../../drivers/sim/printer/virtual-printer.ts';

const receipt = (n = 10): Receipt => ({
  blocks: [
    { kind: 'text', text: '本人確認 結果票', align: 'center', bold: true, size: 2 },
    ...Array.from({ length: n }, (_, i) => ({ kind: 'pair' as const, label: `項目 ${i + 1}`, value: `値 ${i + 1}` })),
    { kind: 'qr', data: 'IDK1:TESTTOKEN' },
    { kind: 'text', text: 'END OF RECEIPT', align: 'center' },
  ],
});

const started: Printer[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) await p.stop();
});

async function setup(vpOpts: VirtualPrinterOptions = {}, opts: PrinterOptions = {}) {
  const vp = new VirtualPrinter(vpOpts);
  const transport = new MemoryTransport(vp);
  const log = memoryLogger();
  const printer = new Printer(transport, { pollMs: 60_000, reconnectMs: 20, rtTimeoutMs: 50, confirmTimeoutMs: 300, recoveryTimeoutMs: 2000, log, ...opts });
  const events: JobEvent[] = [];
  printer.on('job', (e) => events.push(e), 'test');
  started.push(printer);
  await printer.start();
  return { vp, transport, printer, events, log };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wait for the printer to reach `state` (polled, 5 s deadline): the status exchange is asynchronous. */
async function stateBecomes(printer: Printer, state: string): Promise<string> {
  const end = Date.now() + 5000;
  while (printer.state() !== state && Date.now() < end) await sleep(5);
  return printer.state();
}
const full = (vp: VirtualPrinter) => vp.receipts.filter((r) => transcript(r).includes('END OF RECEIPT'));

describe('Printer job queue', () => {
  it('starts ready, prints, and confirms on the GS r reply', async () => {
    const { vp, printer, events } = await setup();
    expect(printer.state()).toBe('ready');
    expect(printer.isUsable()).toBe(true);
    const out = await printer.print(receipt()).done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 1, interruptions: [] });
    expect(vp.errors).toEqual([]);
    expect(full(vp)).toHaveLength(1);
    expect(events.map((e) => e.state)).toEqual(['queued', 'sending', 'printing', 'confirmed']);
    // ESC @ first, GS r 1 last
    const job = Buffer.concat(vp.received);
    expect(job.indexOf(Buffer.from([0x1b, 0x40]))).toBeLessThan(job.indexOf(Buffer.from([0x1c, 0x43, 0x01])));
    expect([...job.subarray(-3)]).toEqual([0x1d, 0x72, 0x01]);
    expect(printer.health()).toMatchObject({ queued: 0, confirmed: 1, failed: 0 });
  });

  it('processes queued jobs in order, each confirmed by its own marker', async () => {
    const { vp, printer } = await setup();
    const jobs = [1, 2, 3].map(() => printer.print(receipt(2)));
    const outs = await Promise.all(jobs.map((j) => j.done));
    expect(outs.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(full(vp)).toHaveLength(3);
  });

  it('paper end mid-job: waits, reprints after paper is loaded, marks the reprint', async () => {
    const { vp, printer, events } = await setup();
    vp.runOutOfPaperAfter(4);
    const job = printer.print(receipt());
    expect(await stateBecomes(printer, 'paper-end')).toBe('paper-end');
    expect(printer.isUsable()).toBe(false);
    expect(events.map((e) => e.state)).toContain('interrupted');
    vp.setPaper('ok');
    const out = await job.done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['paper-end'] });
    // the first copy was completed after the paper change (split by the interruption), then a full REPRINT
    const t = vp.receipts.map(transcript);
    expect(t[0]).toContain('[INTERRUPTED: paper-end]');
    expect(t.at(-1)).toContain('再印刷 REPRINT');
    expect(t.at(-1)).toContain('END OF RECEIPT');
    expect(printer.health().reprinted).toBe(1);
  });

  it('cover open mid-job: reprinted after the cover is closed', async () => {
    const { vp, printer } = await setup();
    vp.openCoverAfter(3);
    const job = printer.print(receipt());
    expect(await stateBecomes(printer, 'cover-open')).toBe('cover-open');
    vp.setCover(false);
    const out = await job.done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['cover-open'] });
  });

  it('a job that cannot recover in time fails with the cause as code and reason (never silent)', async () => {
    const { vp, printer } = await setup({}, { recoveryTimeoutMs: 150 });
    vp.setPaper('end');
    await sleep(20);
    const out = await printer.print(receipt()).done;
    expect(out).toMatchObject({ status: 'failed', code: 'PRINTER_PAPER_END' });
    expect(out.reason).toMatch(/paper-end/);
    expect(printer.health().lastFailure).toMatchObject({ code: 'PRINTER_PAPER_END' });
  });

  it('a printer that never answers GS r: retried, then failed with PRINTER_JOB_TIMEOUT', async () => {
    const { printer } = await setup({ answerGsr: false }, { confirmTimeoutMs: 60, maxAttempts: 2 });
    const out = await printer.print(receipt(1)).done;
    expect(out).toMatchObject({ status: 'failed', code: 'PRINTER_JOB_TIMEOUT', attempts: 2, interruptions: ['timeout', 'timeout'] });
  });

  it('unplugged mid-job: disconnected state, then replugged and reprinted', async () => {
    const { vp, transport, printer } = await setup();
    // the cable is pulled right after the job is written: its GS r reply can never arrive, so whether it
    // printed is unknown and it must be printed again after the replug
    const origReceive = vp.receive.bind(vp);
    let cut = false;
    let unpluggedOnce = false;
    vp.receive = (d) => {
      if (cut) return;
      origReceive(d);
    };
    transport.write = ((w) => async (d: Buffer) => {
      await w(d);
      if (d.includes(Buffer.from([0x1d, 0x72, 0x01])) && !unpluggedOnce) {
        unpluggedOnce = cut = true;
        transport.unplug();
      }
    })(transport.write.bind(transport));
    const job = printer.print(receipt());
    expect(await stateBecomes(printer, 'disconnected')).toBe('disconnected');
    expect(printer.health().queued).toBe(1);
    cut = false;
    transport.replug();
    const out = await job.done;
    expect(out).toMatchObject({ status: 'confirmed', attempts: 2, interruptions: ['disconnected'] });
    expect(printer.state()).toBe('ready');
  });

  it('fragmented status replies (one byte at a time) give the same result', async () => {
    const { vp, printer } = await setup({ fragmentReplies: 2 });
    vp.runOutOfPaperAfter(2);
    const job = printer.print(receipt(3));
    expect(await stateBecomes(printer, 'paper-end')).toBe('paper-end');
    vp.setPaper('near-end');
    expect((await job.done).status).toBe('confirmed');
    expect(await stateBecomes(printer, 'paper-near-end')).toBe('paper-near-end');
    expect(printer.isUsable()).toBe(true);
  });

  // ESC/POS GS a n (Epson TM reference, docs/reference/peripherals.md §2): an enabled printer sends its
  // 4-byte status at once and on every change, so the idle poll can be long (issue 20: an idle kiosk).
  it('ASB: a printer that pushes its status is polled at asbPollMs; without ASB the short poll still finds a change', async () => {
    const realtimeQueries = (vp: VirtualPrinter) => Buffer.concat(vp.received).toString('latin1').split('\x10\x04\x01').length - 1;
    const asb = await setup({}, { pollMs: 40, asbPollMs: 60_000 });
    expect(asb.printer.link.asbActive()).toBe(true);
    expect(asb.printer.link.pollIntervalMs()).toBe(60_000);
    asb.vp.setPaper('near-end'); // reported by ASB alone
    expect(await stateBecomes(asb.printer, 'paper-near-end')).toBe('paper-near-end');

    const silent = await setup({}, { pollMs: 40, asbPollMs: 60_000, asbMask: 0 }); // ASB never enabled
    expect(silent.printer.link.asbActive()).toBe(false);
    expect(silent.printer.link.pollIntervalMs()).toBe(40);
    const before = realtimeQueries(silent.vp);
    silent.vp.coverOpen = true; // no ASB frame: only a DLE EOT poll can see it
    expect(await stateBecomes(silent.printer, 'cover-open')).toBe('cover-open');
    expect(realtimeQueries(silent.vp)).toBeGreaterThan(before);
  });

  it('stop() fails queued jobs explicitly and removes listeners by owner', async () => {
    const { vp, printer } = await setup({}, { recoveryTimeoutMs: 10_000 });
    vp.setCover(true);
    await sleep(10);
    const job = printer.print(receipt());
    await printer.stop();
    expect(await job.done).toMatchObject({ status: 'failed', code: 'PRINTER_UNAVAILABLE' });
    printer.removeOwner('test');
  });

  it('logs job ids, codes and counts, never receipt text', async () => {
    const { vp, printer, log } = await setup();
    vp.runOutOfPaperAfter(3);
    const job = printer.print({ blocks: [{ kind: 'text', text: '山田 𠮷太郎 SECRETNAME' }, ...receipt(3).blocks] });
    await sleep(30);
    vp.setPaper('ok');
    const out = await job.done;
    expect(out.substituted).toBe(1);
    expect(log.text()).toMatch(/outside CP932/);
    expect(log.text()).not.toMatch(/山田|SECRETNAME|太郎/);
  });
});
