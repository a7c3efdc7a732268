// The contract between the kiosk and a document: what a document flow is given for one card session
// (the card, the secret prompt, the printed-number form, progress, cancellation, the request's scope) and
// what it returns. Document flows (daemon/documents/*) depend on this alone, not on the runtime that runs
// them (runtime.ts).
import type { CardSession } from '../../drivers/reader/card-session.ts';
import type { SecretPrompt } from '../documents/secrets.ts';
import type { ResultView } from '../result/result-view.ts';
import type { FormRequest } from './entry-fields.ts';
import type { ReadStep } from './session-machine.ts';

export interface FlowContext {
  session: CardSession;
  prompt: SecretPrompt;
  /**
   * Printed numbers asked together (entry-fields.ts): per-field back/edit, checks as each field is done and
   * a review step before the flow touches the card; resolves with one buffer per field (the caller wipes
   * them). A retry (`mismatch`) brings back the values of the attempt the chip refused. Printed numbers
   * only: a form with a PIN or password is refused. Absent in contexts built without a kiosk screen.
   */
  form?: (request: FormRequest) => Promise<Buffer[]>;
  progress: (step: ReadStep) => void;
  signal: AbortSignal;
  /** Documents the integration-API request accepts (null: every enabled document). */
  documents?: readonly string[] | null;
  /** The verification policy the session runs under (integration-API request; null: the walk-up policy, if any). */
  policy?: string | null;
}

/** A document flow: what to do with a card once it is connected. Resolves with what the screen shows. */
export interface DocumentFlow {
  run(ctx: FlowContext): Promise<ResultView>;
}
