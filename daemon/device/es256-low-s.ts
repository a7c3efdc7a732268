// Canonical (low-S) ECDSA P-256 signatures. For every valid ECDSA signature (r, s), (r, n − s) is valid
// too: without a canonical form a third party can change a signed token's bytes without the key (a
// different JWS for the same claims — a problem for anyone who deduplicates or logs by signature). We
// issue only s ≤ n/2 and refuse s > n/2 where the kiosk verifies its own ES256 signatures (the
// "low-S" rule of Bitcoin's BIP 62 / BIP 146, applied to P-256).
// n: the order of the P-256 base point, SEC 2 v2 §2.4.2 (secp256r1) = FIPS 186-4 App. D.1.2.3.

export const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_ORDER = P256_ORDER >> 1n;

const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const to32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');

/** Whether a raw r‖s (64 bytes) signature has s in the lower half (1 ≤ s ≤ n/2). */
export function isLowS(sig: Buffer): boolean {
  if (sig.length !== 64) return false;
  const s = toBig(sig.subarray(32));
  return s >= 1n && s <= HALF_ORDER;
}

/** The canonical form of a raw r‖s signature: s replaced by n − s when it is in the upper half. */
export function toLowS(sig: Buffer): Buffer {
  if (sig.length !== 64) return sig;
  const s = toBig(sig.subarray(32));
  if (s <= HALF_ORDER) return sig;
  return Buffer.concat([sig.subarray(0, 32), to32(P256_ORDER - s)]);
}

/** Reads one DER INTEGER at `at` (short or one-byte long lengths suffice for P-256). */
function derInt(der: Buffer, at: number): { value: Buffer; end: number } {
  if (der[at] !== 0x02) throw new Error('not an INTEGER');
  const len = der.readUInt8(at + 1);
  return { value: der.subarray(at + 2, at + 2 + len), end: at + 2 + len };
}

/** DER encoding of a non-negative integer (leading zeros trimmed, 0x00 before a high bit). */
function encInt(x: Buffer): Buffer {
  let i = 0;
  while (i < x.length - 1 && x[i] === 0) i++;
  let v = x.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02, v.length]), v]);
}

/** The canonical form of a DER ECDSA-Sig-Value (X.509/PKCS#10 signatures the device key makes). */
export function derToLowS(der: Buffer): Buffer {
  const r = derInt(der, 2);
  const s = derInt(der, r.end);
  const pad = (b: Buffer) => to32(toBig(b));
  const low = toLowS(Buffer.concat([pad(r.value), pad(s.value)]));
  const body = Buffer.concat([encInt(low.subarray(0, 32)), encInt(low.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
