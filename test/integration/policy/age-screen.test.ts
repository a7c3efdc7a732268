// The kiosk screen under the walk-up policy age-20, in headless Chromium: the idle screen lists the
// policy's documents, and the result screen says "20歳以上です" and nothing that contains the birth date.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { SYNTHETIC_HOLDER } from '../../../drivers/sim/mynumber/index.ts';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { launchBrowser } from '../../harness/browser.ts';
import { revocationGood } from '../../harness/jpki.ts';
import { screen } from '../../e2e/helpers.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';

let dir: string;
let kiosk: Kiosk;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-age-screen-'));
  writeFileSync(join(dir, 'sign.pem'), cas().signCa.pem);
  const cfg = parseConfig({
    server: { port: 0 },
    reader: { backend: 'simulated' },
    documents: ['mynumber-jpki-auth', 'mynumber-sign', 'license'],
    trust: { jpkiSign: [join(dir, 'sign.pem')] },
    api: { enabled: false },
    timeouts: { resultMs: 60_000 },
    walkUpPolicy: 'age-20',
  });
  [kiosk, browser] = await Promise.all([startKiosk({ config: cfg, simulated: true, revocation: revocationGood }), launchBrowser()]);
  let prev: KioskState['phase'] = 'idle';
  kiosk.runtime.events.on('state', (s) => {
    if (s.phase === 'secret-entry' && prev !== 'secret-entry') setImmediate(() => [...'ABC123XYZ', 'enter'].forEach((k) => kiosk.runtime.key(k)));
    prev = s.phase;
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('age-20 on screen', () => {
  it('idle lists the policy documents; the result is the yes/no answer only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.server.url);
    await screen(page, 'idle');
    const idle = await page.textContent('body');
    expect(idle).toContain('運転免許証'); // license: in the policy and enabled
    (kiosk.reader as SimulatedReaderDriver).insert(fullCard({ holder: { ...SYNTHETIC_HOLDER, dateOfBirth: '19990308' } }).card);
    await screen(page, 'result', 20_000);
    await expect.poll(() => page.textContent('.age-answer')).toBe('20歳以上です');
    const html = await page.content();
    for (const f of ['1999-03-08', '19990308', '990308', '1999年']) expect(html).not.toContain(f);
    expect(await page.textContent('#holder')).not.toContain(SYNTHETIC_HOLDER.name);
    await page.close();
  }, 60_000);
});
