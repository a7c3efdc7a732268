// The demo's My Number card through the kiosk's own 4-info and 券面AP flows, with the configuration the
// demo daemon runs (daemon/app.ts passes DemoDocuments.myNumberConfig): the typed values shown on the demo
// panel (DEMO_SECRETS) unlock it and the result is proven — so the demo never says verified for data it
// did not check, and never fails for the wrong reason.
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../../daemon/server/protocol.ts';
import { DEMO_SECRETS } from '../../../drivers/sim/demo/demo-card-factory.ts';
import { DemoDocuments } from '../../../daemon/demo/demo-cards.ts';
import { cvAnchors } from '../../../daemon/documents/mynumber/cv-anchors.ts';
import { DEFAULT_MYNUMBER_CONFIG } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { assessMyNumberFace } from '../../../daemon/documents/mynumber/mynumber-face-verdict.ts';
import { assessMyNumberInfo } from '../../../daemon/documents/mynumber/mynumber-info-verdict.ts';
import { readTextAp } from '../../../daemon/documents/mynumber/text-ap.ts';
import { readVisualAp } from '../../../daemon/documents/mynumber/visual-ap.ts';
import { noJp2Decoder } from '../../../daemon/images/jp2-to-png.ts';
import type { MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { scriptedPrompt, sessionFor } from './helpers.ts';
import { DemoCardSet } from '../../../drivers/sim/demo/demo-card-set.ts';

const cardSet = new DemoCardSet();
const docs = new DemoDocuments(cardSet);
afterAll(() => docs.dispose());

describe('the demo card set', () => {
  it.each(DEMO_CARDS)('has a card for the demo panel entry %s', (kind) => {
    expect(docs.card(kind).atr.length).toBeGreaterThan(1);
  });
  it('refuses a kind the panel does not offer', () => {
    expect(() => cardSet.card('mynumber-typo')).toThrow(/no demo card/);
  });
});

describe('demo My Number card under the demo configuration', () => {
  const config = docs.myNumberConfig(DEFAULT_MYNUMBER_CONFIG);
  const anchors = cvAnchors(config);

  it('the demo trusts test cards only through its own configuration', () => {
    expect(DEFAULT_MYNUMBER_CONFIG.testCards).toBe(false);
    expect(config.testCards).toBe(true);
    expect(config.cvCaKeys.length).toBeGreaterThanOrEqual(2);
  });

  it('4-info with the demo PIN, 券面AP with the demo 照合番号B (era form): proven', async () => {
    expect(DEMO_SECRETS.myNumberCheckCodeB).toBe('02010120354321'); // 1990-01-01 = 平成2年, 2035, 4321
    const info = await sessionFor(docs.card('mynumber') as MyNumberCard);
    expect(assessMyNumberInfo(await readTextAp(info.session, { prompt: scriptedPrompt(DEMO_SECRETS.myNumberPin) }), anchors)).toMatchObject({
      verdict: 'verified',
      authenticity: 'proven',
    });
    const face = await sessionFor(docs.card('mynumber') as MyNumberCard);
    const r = await assessMyNumberFace(await readVisualAp(face.session, { prompt: scriptedPrompt(DEMO_SECRETS.myNumberCheckCodeB) }), noJp2Decoder, anchors);
    expect(r).toMatchObject({ verdict: 'verified', authenticity: 'proven' });
  });
});
