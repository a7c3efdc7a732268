// The kiosk flow: registry detection among all documents, what the screen gets, images only on request.
import { describe, expect, it } from 'vitest';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import type { DocumentEnvironment } from '../../../daemon/documents/document-handler.ts';
import { residenceFlow } from '../../../daemon/documents/residence/residence-flow.ts';
import type { ImageConverter } from '../../../daemon/images/tool-converter.ts';
import type { FlowContext } from '../../../daemon/kiosk/document-flow.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { promptWith, residenceCard, sessionFor, trustBoth } from './helpers.ts';
import { residenceViewOf } from '../../../daemon/documents/residence/residence-view.ts';

const env: DocumentEnvironment = {
  trust: () => trustBoth(),
  revocation: { check: async () => ({ status: 'unknown', reason: 'none', source: 'none', checkedAt: '' }) } as never,
  now: () => new Date(),
};

async function ctxFor(generation: 1 | 2, number = 'AA12345678BB') {
  const { card } = residenceCard({ generation });
  const { session } = await sessionFor(card);
  const steps: string[] = [];
  const ctx: FlowContext = { session, prompt: promptWith(number), progress: (s) => steps.push(s), signal: new AbortController().signal };
  return { ctx, steps, card };
}

describe('residence flow', () => {
  it('among all registered documents, only the residence handler claims a residence card', async () => {
    const { ctx } = await ctxFor(2);
    const claimed: string[] = [];
    for (const [id, factory] of DOCUMENTS) {
      let handler: ReturnType<typeof factory>;
      try {
        handler = factory(env);
      } catch {
        continue; // a document that needs configuration this test does not give
      }
      if (await handler.detect(ctx.session)) claimed.push(id);
    }
    expect(claimed).toEqual(['residence']);
  });

  it('screen view: card type and dates, no birth date or nationality; no images unless asked', async () => {
    const { ctx, steps } = await ctxFor(2);
    const view = await residenceFlow({ trust: trustBoth() }).run(ctx);
    expect(view).toMatchObject({
      outcome: 'verified',
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      document: 'residence',
      reasons: [],
      revocation: 'not-applicable',
      residence: { generation: 2, cardType: '05', kind: 'residence-card', workRestriction: '1' },
    });
    expect(view.checks).toEqual({
      'data-structure': 'valid',
      'issuer-signature': 'valid',
      'certificate-chain': 'valid',
      'card-kind': 'signed',
      'card-expiry': 'valid',
      'period-of-stay': 'valid',
      revocation: 'not-applicable',
      'anti-clone': 'not-offered-by-card',
    });
    expect(residenceViewOf(view)!.images).toBeUndefined();
    expect(JSON.stringify(view)).not.toMatch(/19900101|XXA/);
    expect(steps).toEqual(['identify', 'pin', 'read-certificate', 'validate']);
  });

  it('displayImages: decoded images as PNG data URLs; "not decoded" leaves them out', async () => {
    const fake: ImageConverter = {
      toPng: async (f) =>
        f === 'jpeg2000' ? { status: 'decoded', png: Buffer.from('PNG'), width: 1, height: 1 } : { status: 'not-decoded', reason: 'tool-missing' },
    };
    const { ctx } = await ctxFor(1);
    const view = await residenceFlow({ trust: trustBoth(), displayImages: true, images: fake }).run(ctx);
    expect(residenceViewOf(view)!.images).toEqual({ face: `data:image/png;base64,${Buffer.from('PNG').toString('base64')}` });
  });

  it('a card that is not proven (no configured anchor) is chip-read, with no images decoded', async () => {
    let calls = 0;
    const counting: ImageConverter = {
      toPng: async () => {
        calls++;
        return { status: 'not-decoded', reason: 'tool-missing' };
      },
    };
    const { ctx } = await ctxFor(2);
    const view = await residenceFlow({ trust: new TrustStore([]), displayImages: true, images: counting }).run(ctx);
    expect(view).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', holderBinding: 'printed-number-only', residence: { kind: 'unproven' } });
    expect(view.checks).toMatchObject({ 'issuer-signature': 'valid', 'certificate-chain': 'no-configured-anchor' });
    expect(calls).toBe(0);
  });

  it('wrong number becomes a refused result (not an error)', async () => {
    const { ctx } = await ctxFor(1, 'AB12345678CD');
    expect(await residenceFlow({ trust: trustBoth() }).run(ctx)).toEqual({
      outcome: 'refused',
      authenticity: null,
      holderBinding: 'printed-number-only',
      document: 'residence',
      reasons: ['RESIDENCE_CARD_NUMBER_WRONG'],
    });
  });
});
