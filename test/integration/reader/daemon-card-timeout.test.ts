// The configured card timeout in the running daemon: `reader.cardTimeoutMs` reaches the reader binding
// (startKiosk), a licence that goes silent after two APDUs ends its session with READER_TIMEOUT within that
// time, and the next card is read (simulated reader; the pcscd path is silent-card.test.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { LinkedCard } from '../../../drivers/sim/iso7816/link.ts';
import { createVirtualLicense } from '../../../drivers/sim/license/index.ts';
import { revocationGood, waitUntil } from '../../harness/jpki.ts';

const CARD_TIMEOUT_MS = 1500;
let kiosk: Kiosk;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idkiosk-card-timeout-'));
  const cfg = parseConfig({
    kioskId: 'kiosk-card-timeout',
    server: { port: 0 },
    reader: { backend: 'simulated', cardTimeoutMs: CARD_TIMEOUT_MS },
    documents: ['license'],
    audit: { db: join(dir, 'audit.db') },
    health: { port: 0, diskPath: dir },
    printer: { transport: 'memory' },
  });
  kiosk = await startKiosk({ config: cfg, simulated: true, revocation: revocationGood });
});
afterAll(async () => kiosk?.stop());

describe('reader.cardTimeoutMs', () => {
  it('is validated: default 10 s, a bad value names the field', () => {
    expect(parseConfig({}).reader.cardTimeoutMs).toBe(10_000);
    expect(() => parseConfig({ reader: { cardTimeoutMs: 0 } })).toThrow(/reader\.cardTimeoutMs/);
    expect(() => parseConfig({ reader: { cardTimeoutMs: '5s' } })).toThrow(/reader\.cardTimeoutMs/);
  });

  it('a card that goes silent ends the session with READER_TIMEOUT within the configured time; the next card reads', async () => {
    const reader = kiosk.reader as SimulatedReaderDriver;
    const phase = () => kiosk.runtime.getState().phase;
    await waitUntil(() => phase() === 'idle', 5000, 'idle');
    const silent = new LinkedCard(createVirtualLicense(), { silentAfter: 2 });
    const t0 = Date.now();
    reader.insert(silent);
    await waitUntil(() => silent.mute, 2000, 'the card to fall silent');
    const silentAt = Date.now();
    await waitUntil(() => phase() === 'result', CARD_TIMEOUT_MS + 3000, 'the result');
    const elapsed = Date.now() - silentAt;
    console.log(`READER_TIMEOUT ${elapsed} ms after the card fell silent (${Date.now() - t0} ms after insertion)`);
    expect(kiosk.runtime.getState().result).toMatchObject({ outcome: 'error', reasons: ['READER_TIMEOUT'] });
    expect(elapsed).toBeGreaterThanOrEqual(CARD_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(CARD_TIMEOUT_MS + 1000);

    reader.remove();
    await waitUntil(() => phase() === 'idle' || phase() === 'result', 2000, 'card removed');
    reader.insert(createVirtualLicense());
    await waitUntil(() => phase() === 'secret-entry', 5000, 'PIN entry on the next card');
  });
});
