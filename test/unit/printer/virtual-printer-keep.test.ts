// The daemon's in-memory printer keeps a bounded history (issue 20: every receipt used to stay in memory,
// +34 KB per session); without `keep` (tests, the CLI) it keeps everything.
import { describe, expect, it } from 'vitest';
import { transcript } from '../../../drivers/sim/printer/document.ts';
import { VirtualPrinter } from '../../../drivers/sim/printer/virtual-printer.ts';
import { MEMORY_PRINTER_KEEP } from '../../../daemon/kiosk/peripherals.ts';

// ESC @ (initialise), text, LF, GS V 0 (full cut): one receipt per call (ESC/POS, Epson APG)
const job = (text: string) => Buffer.concat([Buffer.from([0x1b, 0x40]), Buffer.from(`${text}\n`, 'latin1'), Buffer.from([0x1d, 0x56, 0x00])]);

describe('VirtualPrinter history', () => {
  it('keeps the newest receipts and about keep.receivedBytes of input, in the same arrays', () => {
    const vp = new VirtualPrinter({ keep: { receipts: 3, receivedBytes: 40 } });
    const receipts = vp.receipts;
    for (let i = 0; i < 10; i++) vp.receive(job(`RECEIPT ${i}`));
    expect(vp.errors).toEqual([]);
    expect(vp.receipts).toBe(receipts);
    expect(vp.receipts.map((r) => transcript(r).split('\n')[0])).toEqual(['RECEIPT 7', 'RECEIPT 8', 'RECEIPT 9']);
    expect(transcript(vp.lastReceipt()!)).toContain('RECEIPT 9');
    const kept = Buffer.concat(vp.received);
    expect(kept.length).toBeLessThanOrEqual(40);
    expect(kept.toString('latin1')).toContain('RECEIPT 9');
    // each kept chunk owns its memory: a slice of node's 8 KiB pool slab would keep the whole slab alive
    for (const b of vp.received) expect(b.buffer.byteLength).toBe(b.length);
  });

  it('keeps everything without a bound', () => {
    const vp = new VirtualPrinter();
    for (let i = 0; i < 50; i++) vp.receive(job(`R${i}`));
    expect(vp.receipts).toHaveLength(50);
    expect(vp.received).toHaveLength(50);
  });

  it('the daemon bounds its in-memory printer', () => {
    expect(MEMORY_PRINTER_KEEP.receipts).toBeGreaterThanOrEqual(1);
    expect(MEMORY_PRINTER_KEEP.receivedBytes).toBeLessThanOrEqual(4 << 20);
  });
});
