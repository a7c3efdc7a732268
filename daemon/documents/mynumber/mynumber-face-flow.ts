// The kiosk flow for the 券面AP: 照合番号B on the keypad (or 照合番号A where the deployment may use the My
// Number), then the face photo (JPEG 2000 → PNG) and the name/address images for the clerk.
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import { type ResultView, resultViewHead } from '../../result/result-view.ts';
import type { MyNumberFaceResultView } from './mynumber-view.ts';
import type { Logger } from '../../../core/log.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { defaultJp2ToPng, type Jp2ToPng } from '../../images/jp2-to-png.ts';
import { myNumberPermission } from './mynumber-config.ts';
import { assessMyNumberFace, type MyNumberFaceResult } from './mynumber-face-verdict.ts';
import type { MyNumberPermission } from './text-ap.ts';
import { hasVisualAp, readVisualAp } from './visual-ap.ts';
import { cvAnchors } from './cv-anchors.ts';
import type { CvAnchor } from './cv-certificate.ts';

export interface MyNumberFaceFlowOptions {
  convert?: Jp2ToPng;
  /** 照合番号A instead of B: only with the deployment's permission (config myNumberAllowed + legalBasis). */
  checkCodeA?: MyNumberPermission | null;
  log?: Logger;
  onResult?: (r: MyNumberFaceResult) => void;
  /** Trusted CV CA keys (default: production J-LIS keys only; see cv-anchors.ts). */
  anchors?: readonly CvAnchor[];
}

const b64 = (b: Buffer | null) => (b ? b.toString('base64') : null);

export function faceResultView(r: MyNumberFaceResult): MyNumberFaceResultView {
  const shown = r.verdict === 'verified' || r.verdict === 'chip-read'; // chip-read is shown only where a policy accepts it (verdict gate)
  return {
    ...resultViewHead(r),
    holder: shown ? { name: null, address: null, dateOfBirth: r.dateOfBirth, sex: r.sex } : null,
    cardFace: shown
      ? {
          facePng: b64(r.facePng),
          faceStatus: r.checks.face === 'skipped-not-proven' ? 'not-decoded' : r.checks.face,
          nameImagePng: b64(r.nameImagePng),
          addressImagePng: b64(r.addressImagePng),
        }
      : null,
    checks: { ...r.checks },
  };
}

export function myNumberFaceFlow(o: MyNumberFaceFlowOptions = {}): DocumentFlow {
  const convert = o.convert ?? defaultJp2ToPng();
  const anchors = o.anchors ?? cvAnchors(undefined);
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const ev = await readVisualAp(ctx.session, { prompt: ctx.prompt, progress: ctx.progress, checkCodeA: o.checkCodeA });
      ctx.progress('validate');
      const result = await assessMyNumberFace(ev, convert, anchors);
      if (result.checks['cv-hierarchy'] === 'test') o.log?.('mynumber-face: card verified under a JPKI TEST-hierarchy CA key (mynumber.testCards)');
      if (result.checks.face === 'not-decoded') o.log?.('mynumber-face: face photo not decoded (no JPEG 2000 decoder or decode failed)');
      o.onResult?.(result);
      return faceResultView(result);
    },
  };
}

/** 券面AP images (照合番号B; 照合番号A only with mynumber.myNumberAllowed + legalBasis). */
export const myNumberFaceHandler: DocumentHandlerFactory = (env) => {
  const flow = myNumberFaceFlow({ checkCodeA: myNumberPermission(env.mynumber), log: env.log, anchors: cvAnchors(env.mynumber) });
  return { id: 'mynumber-face', detect: hasVisualAp, run: (ctx) => flow.run(ctx) };
};
