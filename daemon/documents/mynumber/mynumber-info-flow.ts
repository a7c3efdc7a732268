// The kiosk flow for the 4 basic info (券面事項入力補助AP): card protocol (text-ap.ts) + verdict
// (mynumber-info-verdict.ts) → what the screen shows: name, address, date of birth, sex — never the My
// Number — and which checks were made.
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import { type ResultView, resultViewHead } from '../../result/result-view.ts';
import type { Logger } from '../../../core/log.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { assessMyNumberInfo, type MyNumberInfoResult } from './mynumber-info-verdict.ts';
import { holderView, logSubstitutions } from './mynumber-view.ts';
import { hasTextAp, readTextAp } from './text-ap.ts';
import { cvAnchors } from './cv-anchors.ts';
import type { CvAnchor } from './cv-certificate.ts';
import { attachBirthDate } from '../../policy/birth-date.ts';

export interface MyNumberInfoFlowOptions {
  log?: Logger;
  /** Trusted CV CA keys (default: production J-LIS keys only; see cv-anchors.ts). */
  anchors?: readonly CvAnchor[];
  /** Receives the full result (audit trail, integration API). */
  onResult?: (r: MyNumberInfoResult) => void;
}

export function infoResultView(r: MyNumberInfoResult): ResultView {
  return {
    ...resultViewHead(r),
    holder: r.holder && holderView({ name: r.holder.name, address: r.holder.address, dateOfBirth: r.holder.dateOfBirth, sex: r.holder.sex }),
    checks: { ...r.checks },
  };
}

export function myNumberInfoFlow(o: MyNumberInfoFlowOptions = {}): DocumentFlow {
  const anchors = o.anchors ?? cvAnchors(undefined);
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const evidence = await readTextAp(ctx.session, { prompt: ctx.prompt, progress: ctx.progress });
      ctx.progress('validate');
      const result = assessMyNumberInfo(evidence, anchors);
      if (result.checks['cv-hierarchy'] === 'test') o.log?.('mynumber-info: card verified under a JPKI TEST-hierarchy CA key (mynumber.testCards)');
      if (result.holder) logSubstitutions(o.log, 'mynumber-info', result.holder);
      o.onResult?.(result);
      // The 4 info's date of birth, for age policies only (never part of the view itself).
      return attachBirthDate(infoResultView(result), result.holder?.dateOfBirth);
    },
  };
}

/** 4 basic info from the 券面事項入力補助AP (4-digit PIN), DF33 verified through the CV certificate to J-LIS keys. */
export const myNumberInfoHandler: DocumentHandlerFactory = (env) => {
  const flow = myNumberInfoFlow({ log: env.log, anchors: cvAnchors(env.mynumber) });
  return { id: 'mynumber-info', detect: hasTextAp, run: (ctx) => flow.run(ctx) };
};
