// The card's copy of what the MRZ access key is (ICAO 9303-3 §4.9 check digits; 9303-11 §9.7.2 / §4.4:
// the "MRZ information" = document number (≥ 9 characters, '<'-filled) ‖ its check digit ‖ date of birth ‖
// check digit ‖ date of expiry ‖ check digit), written for the card side apart from the reader.
// Worked example (9303-11 Appendix D.2): L898902C<, 690806, 940623 → "L898902C<369080619406236".

/** 9303-3 §4.9: values 0–9, A=10 … Z=35, '<'=0; weights 7, 3, 1 repeating; sum mod 10. */
export function mrzCheckDigit(s: string): number {
  const weights = [7, 3, 1] as const;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : 0;
    sum += v * (weights[i % 3] ?? 0); // i % 3 is an index of weights
  }
  return sum % 10;
}

/** The MRZ information the chip derives its BAC/PACE keys from. */
export function mrzKeyInformation(documentNumber: string, dateOfBirth: string, dateOfExpiry: string): Buffer {
  if (!/^[A-Z0-9<]{1,}$/.test(documentNumber) || !/^[0-9]{6}$/.test(dateOfBirth) || !/^[0-9]{6}$/.test(dateOfExpiry)) {
    throw new RangeError('MRZ key: document number A–Z0–9, dates YYMMDD');
  }
  const doc = documentNumber.padEnd(9, '<');
  return Buffer.from(`${doc}${mrzCheckDigit(doc)}${dateOfBirth}${mrzCheckDigit(dateOfBirth)}${dateOfExpiry}${mrzCheckDigit(dateOfExpiry)}`, 'latin1');
}
