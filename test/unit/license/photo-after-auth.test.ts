// Issue 17: the licence photo (JPEG 2000) reaches the native decoder only after EF07 has proven the read.
// A photo changed after signing, or a read nothing proved, is never handed to the converter.
import { describe, expect, it } from 'vitest';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { readLicense, type LicenseEvidence, type LicenseFiles } from '../../../daemon/documents/license/license-read.ts';
import { assessLicense } from '../../../daemon/documents/license/license-verdict.ts';
import type { PhotoConverter } from '../../../daemon/documents/license/photo.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { createVirtualLicense, type LicenseCard } from '../../../drivers/sim/license/index.ts';

function session(card: LicenseCard): CardSession {
  const ch: CardChannel = { readerName: 'mem', atr: card.atr, protocol: 'T1', transmit: async (b) => card.process(b), disconnect: async () => {} };
  return new CardSession(ch);
}

/** A decoder spy: records every image it is given and answers with a minimal PNG signature. */
function spy() {
  const seen: Buffer[] = [];
  const convert: PhotoConverter = async (img) => {
    seen.push(Buffer.from(img));
    return Buffer.from('\x89PNG\r\n\x1a\n', 'latin1');
  };
  return { seen, convert };
}

async function evidence(card: LicenseCard): Promise<LicenseEvidence & { files: LicenseFiles }> {
  // No PIN set on the card: PIN1 and PIN2 are the default, so EF07 covers everything read (photo included).
  const ev = await readLicense(session(card), { prompt: async () => Buffer.from('0000'), withPin2: true, now: new Date() });
  if (!ev.files) throw new Error('the virtual licence gave no files');
  return { ...ev, files: ev.files };
}

describe('licence photo decoded only after EF07 proves it (issue 17)', () => {
  it('genuine card with its key configured: verified, the photo decoded once', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const s = spy();
    const r = await assessLicense(await evidence(card), { at: new Date(), trust: new TrustStore([card.signingKey.x509]), photoConverter: s.convert });
    expect(r).toMatchObject({ verdict: 'verified', authenticity: 'proven', photo: { display: 'decoded' }, checks: { 'photo-decode': 'decoded' } });
    expect(s.seen).toHaveLength(1);
  });

  it('a photo byte changed after signing: EF07 unmatched, refused, the decoder never called', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const ev = await evidence(card);
    const photo = Buffer.from(ev.files.photo!);
    photo[photo.length - 1]! ^= 0x01; // inside the JPEG 2000 codestream (5F40's value runs to the end)
    const s = spy();
    const r = await assessLicense(
      { ...ev, files: { ...ev.files, photo } },
      { at: new Date(), trust: new TrustStore([card.signingKey.x509]), photoConverter: s.convert },
    );
    expect(r).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      photo: { display: 'not-decoded' },
      checks: { 'photo-decode': 'skipped-not-proven' },
    });
    expect(s.seen).toHaveLength(0);
  });

  it('a tampered signature file (EF07): refused, the decoder never called', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const ev = await evidence(card);
    const signature = Buffer.from(ev.files.signature!);
    signature[100]! ^= 0x01; // inside the signature value (tag 61, 256 bytes; the file is zero-padded after it)
    const s = spy();
    const r = await assessLicense(
      { ...ev, files: { ...ev.files, signature } },
      { at: new Date(), trust: new TrustStore([card.signingKey.x509]), photoConverter: s.convert },
    );
    expect(r.verdict).toBe('refused');
    expect(r.authenticity).toBe('failed');
    expect(s.seen).toHaveLength(0);
  });

  it('no key configured: chip-read (not proven), the decoder never called', async () => {
    const card = createVirtualLicense({ pins: 'default' });
    const s = spy();
    const r = await assessLicense(await evidence(card), { at: new Date(), trust: new TrustStore([]), photoConverter: s.convert });
    expect(r).toMatchObject({ verdict: 'chip-read', checks: { 'photo-decode': 'skipped-not-proven' } });
    expect(s.seen).toHaveLength(0);
  });
});
