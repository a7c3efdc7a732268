// The kiosk's flow: detect which enabled document the card is and run that document's handler.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import type { DocumentFlow } from '../kiosk/document-flow.ts';
import type { DocumentHandler } from './document-handler.ts';

export function routingFlow(handlers: readonly DocumentHandler[]): DocumentFlow {
  return {
    async run(ctx) {
      ctx.progress('identify');
      for (const h of handlers) {
        if (ctx.signal.aborted) break;
        if (await h.detect(ctx.session)) {
          try {
            return await h.run(ctx);
          } catch (e) {
            // The screen's guidance depends on the document (a locked licence PIN is unlocked at a licensing
            // centre, a My Number PIN at the municipal office), so failures name the document they came from.
            if (e instanceof KioskError && e.detail.document === undefined) e.detail.document = h.id;
            throw e;
          }
        }
      }
      throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'the card carries none of the enabled documents');
    },
  };
}
