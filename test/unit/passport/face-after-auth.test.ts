// Issue 17: the DG2 face reaches the image converter (opj_decompress for JPEG 2000) only for a verified
// passport. A DG2 changed after the SOD was signed, or a passport nothing proved, never reaches it.
import { describe, expect, it } from 'vitest';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';
import type { FaceImage } from '../../../daemon/documents/passport/datagroups/data-groups.ts';
import { readPassport } from '../../../daemon/documents/passport/passport-read.ts';
import { assessPassport, type FaceConverter } from '../../../daemon/documents/passport/passport-verdict.ts';
import { accessKey, card, session, STORE } from './helpers.ts';

function spy() {
  const seen: FaceImage[] = [];
  const convert: FaceConverter = async (face) => {
    seen.push(face);
    return { mime: 'image/png', data: Buffer.from('\x89PNG', 'latin1') };
  };
  return { seen, convert };
}

async function assess(c = card(), store = STORE) {
  const s = spy();
  const ev = await readPassport(session(c).session, { accessKey: accessKey(), readFace: true });
  expect(ev.face).not.toBeNull(); // the face was read: only the order decides whether it is decoded
  const result = await assessPassport(ev, { csca: store, at: new Date(), faceConverter: s.convert });
  return { result, seen: s.seen };
}

describe('passport face decoded only for a verified passport (issue 17)', () => {
  it('genuine passport: verified, the face converted once', async () => {
    const { result, seen } = await assess();
    expect(result).toMatchObject({ verdict: 'verified', face: { display: { mime: 'image/png' } }, checks: { 'face-decode': 'decoded' } });
    expect(seen).toHaveLength(1);
  });

  it('DG2 changed after signing: passive authentication fails, refused, the converter never called', async () => {
    const { result, seen } = await assess(card({ faults: { tamperDg: 2 } }));
    expect(result).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      face: { display: null },
      checks: { 'dg2-hash': 'mismatch', 'face-decode': 'skipped-not-proven' },
    });
    expect(seen).toHaveLength(0);
  });

  it('unknown CSCA (not proven, chip-read): the converter never called', async () => {
    const { result, seen } = await assess(card(), new CscaStore([]));
    expect(result.verdict).not.toBe('verified');
    expect(result.checks['face-decode']).toBe('skipped-not-proven');
    expect(seen).toHaveLength(0);
  });
});
