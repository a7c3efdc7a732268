// A document the kiosk can verify. Each document module (mynumber/, license/, residence/, passport/)
// exports one DocumentHandler; documents/registry.ts lists them; the router picks the first whose
// application the card answers. Detection is by SELECTing the document's application, never by ATR alone.
import type { CardSession } from '../../drivers/reader/card-session.ts';
import type { FlowContext } from '../kiosk/document-flow.ts';
import type { ResultView } from '../result/result-view.ts';
import type { RevocationChecker } from '../trust/revocation.ts';
import type { TrustStore } from '../trust/trust-store.ts';
import type { Logger } from '../../core/log.ts';
import type { MyNumberConfig } from './mynumber/mynumber-config.ts';
import type { PassportConfig } from './passport/passport-config.ts';

export type DocumentId = 'mynumber-jpki-auth' | 'license' | 'residence' | 'passport' | (string & {});

/** What every handler gets from the composition root. */
export interface DocumentEnvironment {
  /** Trust anchors per purpose, e.g. "jpkiAuth", "residence", "csca". */
  trust: (purpose: string) => TrustStore;
  revocation: RevocationChecker;
  now: () => Date;
  /** マイナンバーカード mode and My Number policy (config block `mynumber`); absent = defaults (never the My Number). */
  mynumber?: MyNumberConfig;
  /** Passport settings (config block `passport`); absent = defaults (no CSCA-country exceptions). */
  passport?: PassportConfig;
  /** Daemon log (codes and counts only, never personal data). */
  log?: Logger;
}

export interface DocumentHandler {
  id: DocumentId;
  /** True when the card carries this document's application (side effects: SELECTs only). */
  detect(session: CardSession): Promise<boolean>;
  /** Runs the document's flow on a detected card. */
  run(ctx: FlowContext): Promise<ResultView>;
  /** Loads what the first card would otherwise wait for (a lazily loaded flow module); rejects if it cannot. */
  prepare?(): Promise<void>;
}

export type DocumentHandlerFactory = (env: DocumentEnvironment) => DocumentHandler;
