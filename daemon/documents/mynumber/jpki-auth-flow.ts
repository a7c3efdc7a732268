// The kiosk flow for JPKI user authentication: card protocol (jpki-auth.ts) + verdict
// (jpki-auth-verdict.ts) → what the screen shows. Personal data: none (the auth certificate has none).
import type { DocumentFlow, FlowContext } from '../../kiosk/document-flow.ts';
import type { DocumentHandlerFactory } from '../document-handler.ts';
import type { ResultView } from '../../result/result-view.ts';
import type { RevocationChecker } from '../../trust/revocation.ts';
import type { TrustStore } from '../../trust/trust-store.ts';
import { hasJpkiAp, readJpkiAuth } from './jpki-auth.ts';
import { assessJpkiAuth, type JpkiAuthResult } from './jpki-auth-verdict.ts';

export interface JpkiAuthFlowOptions {
  trust: TrustStore;
  revocation: RevocationChecker;
  now?: () => Date;
  /** Receives the full result (for the audit trail and the integration API). */
  onResult?: (r: JpkiAuthResult) => void;
}

export function toResultView(r: JpkiAuthResult): ResultView {
  return {
    outcome: r.verdict === 'verified' ? 'verified' : 'refused',
    authenticity: r.authenticity,
    holderBinding: r.holderBinding,
    document: r.document,
    reasons: r.reasons.map((x) => x.code),
    ...certificateAndRevocationView(r),
  };
}

/** The certificate and revocation facts of a JPKI result, as the screen, receipt and audit record see them. */
export function certificateAndRevocationView(
  r: Pick<JpkiAuthResult, 'certificate' | 'revocation' | 'revocationDetail' | 'issuerFingerprintSha256'>,
): Pick<ResultView, 'certificate' | 'revocation' | 'revocationDetail'> {
  const d = r.revocationDetail;
  return {
    certificate: r.certificate && {
      serialNumber: r.certificate.serialNumber,
      fingerprintSha256: r.certificate.fingerprintSha256,
      notAfter: r.certificate.notAfter,
      ...(r.issuerFingerprintSha256 ? { issuerFingerprintSha256: r.issuerFingerprintSha256 } : {}),
    },
    revocation: r.revocation,
    revocationDetail: d ? { source: d.source, checkedAt: d.checkedAt, crlNumber: ('crlNumber' in d && d.crlNumber) || null } : null,
  };
}

export function jpkiAuthFlow(o: JpkiAuthFlowOptions): DocumentFlow {
  return {
    async run(ctx: FlowContext): Promise<ResultView> {
      const evidence = await readJpkiAuth(ctx.session, { prompt: ctx.prompt, progress: ctx.progress });
      ctx.progress('validate');
      const result = await assessJpkiAuth(evidence, { trust: o.trust, revocation: o.revocation, at: (o.now ?? (() => new Date()))() });
      o.onResult?.(result);
      return toResultView(result);
    },
  };
}

/** The kiosk's JPKI user-authentication document (trust purpose "jpkiAuth"). */
export const jpkiAuthHandler: DocumentHandlerFactory = (env) => {
  const flow = jpkiAuthFlow({ trust: env.trust('jpkiAuth'), revocation: env.revocation, now: env.now });
  return { id: 'mynumber-jpki-auth', detect: hasJpkiAp, run: (ctx) => flow.run(ctx) };
};
