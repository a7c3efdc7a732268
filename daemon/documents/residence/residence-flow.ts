// The kiosk flow for residence cards: detection by card type (MF/EF02 tag C1), the card-number entry,
// the protocol (read-residence.ts), the verdict (residence-verdict.ts) and what the screen shows.
// Personal data on screen: card type, expiry dates, status of residence and work restriction only; the
// images (face, front side / name) only when `displayImages` is set, decoded after a verified verdict.
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { ErrorCodes, isKioskError } from '../../../core/errors.ts';
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import type { ResidenceResultView, ResidenceView } from './residence-view.ts';
import type { ResultView } from '../../result/result-view.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { readCardType, type CardTypeInfo } from './card-access.ts';
import { noImageConverter, type ImageConverter, type ImageFormat } from '../../images/tool-converter.ts';
import { readResidence } from './read-residence.ts';
import { attachBirthDate } from '../../policy/birth-date.ts';
import { assessResidence, type ResidenceImages, type ResidenceResult } from './residence-verdict.ts';

/** Failures that are a refusal of this card/holder rather than a fault. */
const REFUSED = new Set<string>([ErrorCodes.RESIDENCE_CARD_NUMBER_WRONG, ErrorCodes.RESIDENCE_CARD_TYPE_UNSUPPORTED, ErrorCodes.PIN_FORMAT]);

export interface ResidenceFlowOptions {
  trust: TrustStore;
  now?: () => Date;
  /** Decode and show the card images on screen (privacy policy; default off). */
  displayImages?: boolean;
  images?: ImageConverter;
  onResult?: (r: ResidenceResult) => void;
}

export function toResultView(r: ResidenceResult): ResidenceResultView {
  const residence: ResidenceView = {
    generation: r.generation,
    cardType: r.cardType,
    kind: r.kind,
    cardExpiry: r.printed?.cardExpiry ?? null,
    statusOfResidence: r.printed?.statusOfResidence ?? null,
    periodOfStayExpiry: r.printed?.periodOfStayExpiry ?? null,
    workRestriction: r.printed?.workRestriction ?? null,
    expiry: { ...r.expiry },
  };
  return {
    outcome: r.verdict,
    authenticity: r.authenticity,
    holderBinding: r.holderBinding,
    checks: { ...r.checks },
    document: 'residence',
    reasons: r.reasons.map((x) => x.code),
    certificate: r.certificate?.notAfter
      ? { serialNumber: r.certificate.serialNumber, fingerprintSha256: r.certificate.fingerprintSha256, notAfter: r.certificate.notAfter }
      : null,
    revocation: r.revocation,
    residence,
  };
}

async function imageUrls(conv: ImageConverter, images: ResidenceImages): Promise<NonNullable<ResidenceView['images']>> {
  const out: NonNullable<ResidenceView['images']> = {};
  const one = async (format: ImageFormat, data: Buffer | undefined) => {
    if (!data) return undefined;
    const r = await conv.toPng(format, data);
    return r.status === 'decoded' ? `data:image/png;base64,${r.png.toString('base64')}` : undefined;
  };
  out.face = await one('jpeg2000', images.face);
  out.front = await one('tiff-g4', images.frontImage);
  out.name = await one('tiff-g4', images.nameImage);
  for (const k of Object.keys(out) as (keyof typeof out)[]) if (out[k] === undefined) delete out[k];
  return out;
}

export function residenceFlow(o: ResidenceFlowOptions, cardType?: (s: CardSession) => CardTypeInfo | undefined): DocumentFlow {
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      let evidence: Awaited<ReturnType<typeof readResidence>>;
      try {
        evidence = await readResidence(ctx.session, { prompt: ctx.prompt, form: ctx.form, progress: ctx.progress, cardType: cardType?.(ctx.session) });
      } catch (e) {
        // Nothing was read that could be proven; the card number was the only binding attempted.
        if (isKioskError(e) && REFUSED.has(e.code))
          return { outcome: 'refused', authenticity: null, holderBinding: 'printed-number-only', document: 'residence', reasons: [e.code] };
        throw e;
      }
      ctx.progress('validate');
      const { result, images } = assessResidence(evidence, { trust: o.trust, at: (o.now ?? (() => new Date()))() });
      o.onResult?.(result);
      // 2nd gen: tag C6 (生年月日) for age policies only, never part of the view itself (1st gen: not on the chip as text).
      const base = toResultView(result);
      if (o.displayImages && images && result.verdict === 'verified' && base.residence)
        base.residence.images = await imageUrls(o.images ?? noImageConverter, images);
      return attachBirthDate(base, result.printed?.dateOfBirth);
    },
  };
}

/** The kiosk's residence-card document (trust purpose "residence"). */
export const residenceHandler: DocumentHandlerFactory = (env) => {
  const detected = new WeakMap<CardSession, CardTypeInfo>();
  const flow = residenceFlow({ trust: env.trust('residence'), now: env.now }, (s) => detected.get(s));
  return {
    id: 'residence',
    async detect(session) {
      const t = await readCardType(session);
      if (t) detected.set(session, t);
      return t !== null;
    },
    run: (ctx) => flow.run(ctx),
  };
};
