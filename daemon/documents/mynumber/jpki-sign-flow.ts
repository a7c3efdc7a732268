// The kiosk flow for the JPKI signature method (the JPKI 署名用電子証明書 route of non-face-to-face
// identity verification): card protocol (jpki-sign.ts) + verdict (jpki-sign-verdict.ts) → what the screen
// shows. The holder's 4 info from the certificate are shown only when the whole verdict holds.
import { randomBytes } from 'node:crypto';
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import { type ResultView, resultViewHead } from '../../result/result-view.ts';
import type { Logger } from '../../../core/log.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { hasJpkiAp } from './jpki-auth.ts';
import { certificateAndRevocationView } from './jpki-auth-flow.ts';
import { readJpkiSign } from './jpki-sign.ts';
import { assessJpkiSign, type JpkiSignResult } from './jpki-sign-verdict.ts';
import { holderView, logSubstitutions } from './mynumber-view.ts';
import { attachBirthDate } from '../../policy/birth-date.ts';

export interface JpkiSignFlowOptions {
  trust: TrustStore;
  revocation: RevocationChecker;
  /**
   * The transaction data the holder signs, supplied by the host application (integration API). Without
   * one the kiosk signs its own statement of this confirmation (time + fresh nonce), so the signature is
   * still fresh and bound to this session.
   */
  transactionData?: (ctx: FlowContext) => Buffer | Promise<Buffer>;
  now?: () => Date;
  log?: Logger;
  onResult?: (r: JpkiSignResult, data: Buffer) => void;
}

/** The kiosk's own statement when no host supplied transaction data. */
export function kioskStatement(at: Date): Buffer {
  return Buffer.from(JSON.stringify({ type: 'idkiosk/identity-confirmation@1', at: at.toISOString(), nonce: randomBytes(16).toString('hex') }), 'utf8');
}

export function signResultView(r: JpkiSignResult): ResultView {
  const h = r.verdict === 'verified' ? r.holder : null;
  return {
    ...resultViewHead(r),
    ...certificateAndRevocationView(r),
    holder: h ? holderView({ name: h.name, address: h.address, dateOfBirth: h.dateOfBirth, sex: h.sex }) : null,
    checks: { 'data-signature': r.dataSignature, chain: r.chain, revocation: r.revocation },
  };
}

export function jpkiSignFlow(o: JpkiSignFlowOptions): DocumentFlow {
  const now = o.now ?? (() => new Date());
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const data = o.transactionData ? await o.transactionData(ctx) : kioskStatement(now());
      const evidence = await readJpkiSign(ctx.session, { prompt: ctx.prompt, progress: ctx.progress, data });
      ctx.progress('validate');
      const result = await assessJpkiSign(evidence, { trust: o.trust, revocation: o.revocation, at: now() });
      if (result.holder) logSubstitutions(o.log, 'mynumber-sign', result.holder);
      o.onResult?.(result, data);
      // The certificate's verified date of birth, for age policies only (never part of the view itself).
      return attachBirthDate(signResultView(result), result.holder?.dateOfBirth);
    },
  };
}

/** JPKI signing certificate + signature (trust purpose "jpkiSign"). */
export const jpkiSignHandler: DocumentHandlerFactory = (env) => {
  const flow = jpkiSignFlow({ trust: env.trust('jpkiSign'), revocation: env.revocation, now: env.now, log: env.log });
  return { id: 'mynumber-sign', detect: hasJpkiAp, run: (ctx) => flow.run(ctx) };
};
