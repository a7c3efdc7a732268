import { describe, expect, it } from 'vitest';
import { MrzScanAssembler } from '../../../daemon/documents/passport/datagroups/mrz-scan.ts';
import { passportFlow } from '../../../daemon/documents/passport/passport-flow.ts';
import { td3 } from '../../../drivers/sim/passport/lds.ts';
import { card, HOLDER, session, STORE } from './helpers.ts';

const MRZ = td3(HOLDER);
const L1 = MRZ.slice(0, 44);
const L2 = MRZ.slice(44);

describe('MRZ scanner assembler', () => {
  it('recognises a TD3 sent in pieces after noise, once', () => {
    const a = new MrzScanAssembler();
    expect(a.push('garbage\r\n' + L1.slice(0, 10))).toBe(false);
    expect(a.push(L1.slice(10) + '\r\n' + L2.slice(0, 20))).toBe(false);
    expect(a.push(L2.slice(20) + '\r\n')).toBe(true);
    const k = a.take()!;
    expect(k.documentNumber.toString()).toBe('TZ1234567');
    expect(k.dateOfBirth.toString()).toBe('900115');
    expect(a.take()).toBeNull();
  });

  it('ignores a misread (check digit) and expires stale scans', () => {
    let t = 0;
    const a = new MrzScanAssembler({ now: () => t, maxAgeMs: 1000 });
    const bad = L2.slice(0, 9) + ((Number(L2[9]) + 1) % 10) + L2.slice(10);
    expect(a.push(`${L1}\n${bad}\n`)).toBe(false);
    expect(a.push(`${L1}\n${L2}\n`)).toBe(true);
    t = 2000;
    expect(a.take()).toBeNull();
  });

  it('the flow uses a fresh scan and asks nothing', async () => {
    const a = new MrzScanAssembler();
    a.push(`${L1}\n${L2}\n`);
    const { session: s } = session(card({ faceBytes: 500 }));
    let asked = 0;
    const view = await passportFlow({ csca: STORE, scannedKey: () => a.take() }).run({
      session: s,
      prompt: async () => {
        asked++;
        throw new Error('no prompt expected');
      },
      progress: () => {},
      signal: new AbortController().signal,
    });
    expect(asked).toBe(0);
    expect(view).toMatchObject({ outcome: 'verified', document: 'passport' });
  });
});
