// The kiosk flow for the IC 運転免許証: card protocol (license-read.ts) + decoding and decision
// (license-verdict.ts) → what the screen shows. The screen gets the holder's current name and address only
// in a disclosure mode that allows it, the photo only in the mode that names it; 本籍 never reaches the screen.
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import type { LicenseHolderView, LicenseResultView } from './license-view.ts';
import type { ResultView, ScreenTextRun } from '../../result/result-view.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { glyphDataUrl, type Glyph } from './gaiji.ts';
import { GETA, type LicenseText } from './jis.ts';
import { hasLicenseDf1, readLicense } from './license-read.ts';
import { assessLicense, type LicenseResult, type SignaturePolicy } from './license-verdict.ts';
import type { PhotoConverter } from './photo.ts';
import { dateField } from './matters.ts';
import { attachBirthDate } from '../../policy/birth-date.ts';

/** What the result screen may show: nothing personal, name + address, or name + address + photo. */
export type LicenseDisclosure = 'none' | 'name-address' | 'name-address-photo';

export interface LicenseFlowOptions {
  trust: TrustStore;
  now?: () => Date;
  disclosure?: LicenseDisclosure;
  /** Read 本籍 and the photo with PIN2 (implied by 'name-address-photo'). Default false. */
  readPin2?: boolean;
  /** 'require' refuses an unverified EF07 instead of reporting chip-read; nothing makes it verified. */
  signaturePolicy?: SignaturePolicy;
  photoConverter?: PhotoConverter | null;
  /** Receives the full result (integration API, audit). */
  onResult?: (r: LicenseResult) => void;
}

export function screenText(t: LicenseText | null, glyphs: readonly Glyph[]): ScreenTextRun[] {
  if (!t) return [];
  return t.runs.map((r): ScreenTextRun => {
    if (r.kind === 'text') return { text: r.text };
    if (r.kind === 'gaiji') {
      const g = glyphs.find((x) => x.index === r.index);
      return g ? { glyph: glyphDataUrl(g), alt: `外字${r.index}` } : { text: GETA };
    }
    return { text: GETA };
  });
}

export function toResultView(r: LicenseResult, disclosure: LicenseDisclosure): LicenseResultView {
  const view: LicenseResultView = {
    outcome: r.verdict,
    authenticity: r.authenticity,
    holderBinding: r.holderBinding,
    document: 'license',
    reasons: [...new Set(r.reasons.map((x) => x.code))],
    checks: { ...r.checks },
  };
  // Personal data only for a read whose own checks held (verified, or chip-read for a policy that accepts
  // it — the gate decides); a refused read, an undetermined or undecodable name/address never shows it.
  const name = r.current?.name;
  const address = r.current?.address;
  const shown = (c: typeof name): c is NonNullable<typeof name> => !!c && c.status !== 'undetermined' && c.value !== null && !c.value.invalid;
  if (disclosure !== 'none' && r.verdict !== 'refused' && shown(name) && shown(address)) {
    const holder: LicenseHolderView = {
      name: screenText(name.value, r.glyphs),
      address: screenText(address.value, r.glyphs),
      nameChanged: name.changed,
      addressChanged: address.changed,
      expiryDate: r.expiry.date,
    };
    if (disclosure === 'name-address-photo') {
      holder.photo = r.photo?.display === 'decoded' && r.photo.png ? `data:image/png;base64,${r.photo.png.toString('base64')}` : null;
    }
    view.licenseHolder = holder;
  }
  return view;
}

export function licenseFlow(o: LicenseFlowOptions): DocumentFlow {
  const disclosure = o.disclosure ?? 'none';
  const withPin2 = o.readPin2 === true || disclosure === 'name-address-photo';
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const now = (o.now ?? (() => new Date()))();
      const evidence = await readLicense(ctx.session, {
        prompt: ctx.prompt,
        withPin2,
        now,
        progress: (step) => ctx.progress(step),
      });
      ctx.progress('validate');
      const result = await assessLicense(evidence, {
        at: now,
        trust: o.trust,
        signaturePolicy: o.signaturePolicy,
        photoConverter: o.photoConverter ?? null,
      });
      o.onResult?.(result);
      // DF1/EF01 tag 16 (生年月日), for age policies only (never part of the view itself).
      return attachBirthDate(toResultView(result, disclosure), result.matters ? dateField(result.matters, 'birthDate') : null);
    },
  };
}

/**
 * A configurable handler; the composition root can pass the disclosure mode and PIN2 setting. Without an
 * explicit `readPin2`, PIN2 is asked for exactly when a licence key is configured: the signed data includes
 * 本籍 and the photo (libjeid), which need PIN2, so without them EF07 cannot prove anything.
 */
export function createLicenseHandler(opts: Omit<LicenseFlowOptions, 'trust' | 'now'> = {}): DocumentHandlerFactory {
  return (env) => {
    const trust = env.trust('license');
    const flow = licenseFlow({ ...opts, readPin2: opts.readPin2 ?? trust.anchors.length > 0, trust, now: env.now });
    return { id: 'license', detect: hasLicenseDf1, run: (ctx) => flow.run(ctx) };
  };
}

/** The registry's default: no personal data on screen; PIN2 only with a configured key; never verified without EF07. */
export const licenseHandler: DocumentHandlerFactory = createLicenseHandler();
