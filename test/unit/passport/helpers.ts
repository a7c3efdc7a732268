// In-process harness: a CardSession straight onto a virtual passport (no pcscd), with APDU counting.
import { CardSession } from '../../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { PassportCard, testHolder, type PassportCardOptions } from '../../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { CscaStore } from '../../../daemon/documents/passport/pki/csca-store.ts';

export const HOLDER = testHolder({ documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '341231' });
export const KEY = { documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '341231' };

export function accessKey(k: { documentNumber: string; dateOfBirth: string; dateOfExpiry: string } = KEY) {
  return { documentNumber: Buffer.from(k.documentNumber), dateOfBirth: Buffer.from(k.dateOfBirth), dateOfExpiry: Buffer.from(k.dateOfExpiry) };
}

// One PKI for the whole test file: key generation is the slow part.
const csca = createCsca({ country: 'JP' });
export const PKI = { csca, dsc: issueBy(csca, { cn: 'TEST DS 1' }) };
export const STORE = new CscaStore([PKI.csca.x509]);

export function session(card: PassportCard): { session: CardSession; apdus: () => number } {
  let n = 0;
  const channel: CardChannel = {
    readerName: 'in-process',
    atr: card.atr,
    protocol: 'T1' as CardChannel['protocol'],
    transmit: async (apdu) => card.process(apdu),
    disconnect: async () => {},
  };
  return { session: new CardSession(channel, { onExchange: () => n++ }), apdus: () => n };
}

export function card(o: Partial<PassportCardOptions> = {}): PassportCard {
  return new PassportCard({ holder: HOLDER, pki: PKI, faceBytes: 3000, ...o });
}
