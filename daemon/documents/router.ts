// The kiosk's flow: detect which enabled document the card is and run that document's handler.
import { ErrorCodes, KioskError } from '../errors.ts';
import type { DocumentFlow } from '../kiosk/runtime.ts';
import type { DocumentHandler } from './document-handler.ts';

export function routingFlow(handlers: readonly DocumentHandler[]): DocumentFlow {
  return {
    async run(ctx) {
      ctx.progress('identify');
      for (const h of handlers) {
        if (ctx.signal.aborted) break;
        if (await h.detect(ctx.session)) return h.run(ctx);
      }
      throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'the card carries none of the enabled documents');
    },
  };
}
