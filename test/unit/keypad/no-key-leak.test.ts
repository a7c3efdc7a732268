// Proves that key values never reach the logs, whichever backend produced them, even when a careless
// consumer logs the KeyEvent object itself.
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryField, FIELD_PRESETS } from '../../../drivers/keypad/entry.ts';
import { EvdevKeypad } from '../../../drivers/keypad/evdev.ts';
import { memoryLogger, type MemoryLogger } from '../../../core/log.ts';
import { SimulatedKeypad } from '../../../drivers/keypad/simulated.ts';
import { DEFAULT_ROLES_4X3, type KeyEvent, type KeyName, type Keypad } from '../../../drivers/keypad/types.ts';
import { FakeSysfs, onoffPadOn, PAD_COLS, PAD_ROWS, PI4_CHIPS } from './fake-sysfs.ts';
import { keyRecord } from './record.ts';

const SECRET = '7395';
const trees: FakeSysfs[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.cleanup();
});

const EVDEV_CODE: Record<string, number> = { '7': 0x207, '3': 0x203, '9': 0x209, '5': 0x205, '#': 0x20b };
const POS: Record<string, [number, number]> = { '7': [2, 0], '3': [0, 2], '9': [2, 2], '5': [1, 1], '#': [3, 2] };

async function typeOn(backend: string, log: MemoryLogger): Promise<{ pad: Keypad; drive: (k: string) => Promise<void> }> {
  if (backend === 'simulated') {
    const pad = new SimulatedKeypad({ log });
    return { pad, drive: async (k) => pad.press(k as KeyName) };
  }
  if (backend === 'evdev') {
    const s = new PassThrough();
    const pad = new EvdevKeypad({ device: '/dev/input/x', layout: 24, cols: 3, openStream: () => s, log });
    return {
      pad,
      drive: async (k) => {
        const [r, c] = POS[k]!;
        s.write(keyRecord(24, 0, (r << 2) | c, EVDEV_CODE[k]!, 1));
        s.write(keyRecord(24, 50, (r << 2) | c, EVDEV_CODE[k]!, 0));
        await new Promise((res) => setImmediate(res));
      },
    };
  }
  const fake = new FakeSysfs(PI4_CHIPS);
  trees.push(fake);
  let now = 0;
  const pad = onoffPadOn(fake, { now: () => (now += 10), log });
  return {
    pad,
    drive: async (k) => {
      const [r, c] = POS[k]!;
      for (let i = 0; i < 4; i++) pad.scanOnce();
      fake.press(512 + PAD_ROWS[r]!, 512 + PAD_COLS[c]!);
      for (let i = 0; i < 4; i++) pad.scanOnce();
      fake.release(512 + PAD_ROWS[r]!, 512 + PAD_COLS[c]!);
      for (let i = 0; i < 4; i++) pad.scanOnce();
    },
  };
}

describe('no key value reaches the logs', () => {
  for (const backend of ['simulated', 'evdev', 'onoff']) {
    it(`${backend}: a PIN typed through the backend and the entry field leaves no trace in the log`, async () => {
      const log = memoryLogger();
      const { pad, drive } = await typeOn(backend, log);
      const submitted: string[] = [];
      const entry = new EntryField(FIELD_PRESETS.pin4, DEFAULT_ROLES_4X3, {
        // a careless UI bridge that logs every view it forwards
        onView: (v) => log.debug('entry view', { view: JSON.stringify(v) }),
        onSubmit: (v) => submitted.push(v),
        onCancel: () => {},
      });
      pad.on('key', (e: KeyEvent) => {
        // a careless consumer that logs the event object in every way people do
        log.debug(`key event ${e} ${JSON.stringify(e)} ${inspect(e)}`, { event: JSON.stringify(e) });
        if (e.action === 'down') entry.key(e.key);
      });
      await pad.start();
      for (const k of SECRET + '#') await drive(k);
      await pad.stop();

      expect(submitted).toEqual([SECRET]); // the core did receive the value…
      const text = log.text();
      expect(log.lines.length).toBeGreaterThan(4); // …and the log did receive lines…
      expect(text).not.toContain(SECRET); // …but neither the PIN…
      for (const d of SECRET) expect(text).not.toMatch(new RegExp(`"key":"${d}"|\\(down, ${d}\\)`));
      expect(text).toMatch(/"key":"•"/);
    });
  }
});
