// Virtual eMRTD (passport) for development and tests.
export { PassportCard, EMRTD_AID, PASSPORT_ATR, type PassportCardOptions, type PassportFaults } from './passport-card.ts';
export { createCsca, issueBy, type IssuedCert, type KeySpec } from './certs.ts';
export { td3, type Holder } from './lds.ts';

import type { Holder } from './lds.ts';
/** A synthetic holder (no real person). */
export function testHolder(o: Partial<Holder> & Pick<Holder, 'documentNumber' | 'dateOfBirth' | 'dateOfExpiry'>): Holder {
  return { surname: 'TESTER', givenNames: 'HANAKO', nationality: 'JPN', sex: 'F', issuingState: 'JPN', ...o };
}
