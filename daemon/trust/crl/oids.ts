// Object identifiers the CRL code recognises, as hex of the DER OID content bytes (compared byte-wise).
export const OID = {
  // CRL entry extensions
  reasonCode: '551d15',
  invalidityDate: '551d18',
  certificateIssuer: '551d1d',
  // CRL extensions
  cRLNumber: '551d14',
  deltaCRLIndicator: '551d1b',
  issuingDistributionPoint: '551d1c',
  authorityKeyIdentifier: '551d23',
  freshestCRL: '551d2e',
  issuerAltName: '551d12',
  authorityInfoAccess: '2b06010505070101',
  // certificate extensions
  subjectKeyIdentifier: '551d0e',
  keyUsage: '551d0f',
  basicConstraints: '551d13',
  cRLDistributionPoints: '551d1f',
  // algorithms
  rsaEncryption: '2a864886f70d010101',
  sha1WithRSA: '2a864886f70d010105',
  sha256WithRSA: '2a864886f70d01010b',
  sha384WithRSA: '2a864886f70d01010c',
  sha512WithRSA: '2a864886f70d01010d',
  sha224WithRSA: '2a864886f70d01010e',
  rsassaPss: '2a864886f70d01010a',
  mgf1: '2a864886f70d010108',
  ecdsaSha1: '2a8648ce3d0401',
  ecdsaSha256: '2a8648ce3d040302',
  ecdsaSha384: '2a8648ce3d040303',
  ecdsaSha512: '2a8648ce3d040304',
  sha1: '2b0e03021a',
  sha256: '608648016503040201',
  sha384: '608648016503040202',
  sha512: '608648016503040203',
  sha224: '608648016503040204',
} as const;

/** RFC 5280 CRLReason names by code (7 is unused). */
export const REASON_NAMES: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};
export const REMOVE_FROM_CRL = 8;
