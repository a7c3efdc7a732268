// A session's card channel bound to its abort signal: once the session is cancelled, the card pulled or a
// timer runs out, no further APDU reaches the card, whatever the document flow still tries to send.
import type { CardChannel } from '../../drivers/reader/types.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

/** A channel that refuses to transmit once the session is aborted (cancel, card pulled, timeout). */
export function abortable(channel: CardChannel, signal: AbortSignal): CardChannel {
  return {
    readerName: channel.readerName,
    atr: channel.atr,
    protocol: channel.protocol,
    transmit: (apdu, timeoutMs) => {
      if (signal.aborted) {
        return Promise.reject(signal.reason instanceof KioskError ? signal.reason : new KioskError(ErrorCodes.SESSION_CANCELLED, 'session aborted'));
      }
      return channel.transmit(apdu, timeoutMs);
    },
    disconnect: () => channel.disconnect(),
  };
}
