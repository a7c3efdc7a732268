// Issue 17: the 券面AP face photo (JPEG 2000) reaches the native decoder only once the card is proven
// (issuer signature DF28 under the certified key, and the chip's challenge answer). A photo changed after
// signing, a clone, or a card that is only chip-read never reaches it.
import { describe, expect, it } from 'vitest';
import { cvAnchors } from '../../../daemon/documents/mynumber/cv-anchors.ts';
import { assessMyNumberFace } from '../../../daemon/documents/mynumber/mynumber-face-verdict.ts';
import { parseVisualAp } from '../../../daemon/documents/mynumber/visual-ap-data.ts';
import { readVisualAp, type VisualApEvidence } from '../../../daemon/documents/mynumber/visual-ap.ts';
import type { Jp2ToPng } from '../../../daemon/images/jp2-to-png.ts';
import { virtualCardTrustConfig } from '../../../drivers/sim/mynumber/index.ts';
import { fullCard, scriptedPrompt, sessionFor } from './helpers.ts';

const anchors = cvAnchors(virtualCardTrustConfig());

async function faceEvidence(o: Parameters<typeof fullCard>[0] = {}): Promise<VisualApEvidence> {
  const { session } = await sessionFor(fullCard(o).card);
  return readVisualAp(session, { prompt: scriptedPrompt('02010120354321') });
}

function spy() {
  const seen: Buffer[] = [];
  const convert: Jp2ToPng = async (jp2) => {
    seen.push(Buffer.from(jp2));
    return Buffer.from('\x89PNG', 'latin1');
  };
  return { seen, convert };
}

// assessMyNumberFace wipes faceEf; each call gets its own copy.
const assess = (ev: VisualApEvidence, convert: Jp2ToPng) => assessMyNumberFace({ ...ev, faceEf: Buffer.from(ev.faceEf) }, convert, anchors);

describe('券面AP face decoded only for a proven card (issue 17)', () => {
  it('genuine card: verified, the face decoded once', async () => {
    const s = spy();
    const r = await assess(await faceEvidence(), s.convert);
    expect(r).toMatchObject({ verdict: 'verified', authenticity: 'proven', checks: { face: 'decoded' } });
    expect(s.seen).toHaveLength(1);
  });

  it('a byte of the photo changed after signing: refused, the decoder never called', async () => {
    const ev = await faceEvidence();
    const photo = parseVisualAp(Buffer.from(ev.faceEf)).faceJpeg2000!;
    const at = ev.faceEf.indexOf(photo);
    expect(at).toBeGreaterThan(0);
    const faceEf = Buffer.from(ev.faceEf);
    faceEf[at + (photo.length >> 1)]! ^= 0x01;
    const s = spy();
    const r = await assess({ ...ev, faceEf }, s.convert);
    expect(r).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      facePng: null,
      checks: { 'issuer-signature': 'invalid', face: 'skipped-not-proven' },
    });
    expect(s.seen).toHaveLength(0);
  });

  it('a clone (files copied, key not): refused, the decoder never called', async () => {
    const s = spy();
    const r = await assess(await faceEvidence({ forgery: 'clone' }), s.convert);
    expect(r).toMatchObject({ verdict: 'refused', checks: { 'card-challenge': 'invalid', face: 'skipped-not-proven' } });
    expect(s.seen).toHaveLength(0);
  });

  it('a chip that will not answer the challenge (chip-read): the decoder never called', async () => {
    const s = spy();
    const r = await assess(await faceEvidence({ faults: { challengeStatus: 0x6a86 } }), s.convert);
    expect(r).toMatchObject({ verdict: 'chip-read', checks: { face: 'skipped-not-proven' } });
    expect(s.seen).toHaveLength(0);
  });
});
