// SecurityInfos (BSI TR-03110 / ICAO 9303-11 §9.2) from EF.CardAccess and DG14: PACEInfo,
// ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo and ActiveAuthenticationInfo. Unknown
// SecurityInfos are skipped (the set is open by design); malformed known ones are errors.
import { at } from '../../../../core/checked.ts';
import type { SmCipher } from '../access/secure-messaging.ts';
import { decodeOid } from '../../../encoding/asn1.ts';
import { children, readTlv, smallInt, type Tlv } from '../../../encoding/ber-tlv.ts';

export const OID = {
  PACE: '0.4.0.127.0.7.2.2.4',
  CA: '0.4.0.127.0.7.2.2.3',
  PK: '0.4.0.127.0.7.2.2.1',
  PK_DH: '0.4.0.127.0.7.2.2.1.1',
  PK_ECDH: '0.4.0.127.0.7.2.2.1.2',
  AA_INFO: '2.23.136.1.1.5',
} as const;

const CIPHERS: Record<string, SmCipher> = { '1': '3DES', '2': 'AES-128', '3': 'AES-192', '4': 'AES-256' };
const MAPPINGS: Record<string, { agreement: 'DH' | 'ECDH'; mapping: 'GM' | 'IM' | 'CAM' }> = {
  '1': { agreement: 'DH', mapping: 'GM' },
  '2': { agreement: 'ECDH', mapping: 'GM' },
  '3': { agreement: 'DH', mapping: 'IM' },
  '4': { agreement: 'ECDH', mapping: 'IM' },
  '6': { agreement: 'ECDH', mapping: 'CAM' },
};

export interface PaceInfo {
  oid: string;
  version: number;
  parameterId: number | null;
  agreement: 'DH' | 'ECDH';
  mapping: 'GM' | 'IM' | 'CAM';
  cipher: SmCipher;
}

export interface ChipAuthInfo {
  oid: string;
  version: number;
  keyId: number | null;
  agreement: 'DH' | 'ECDH';
  cipher: SmCipher;
}

export interface ChipAuthPublicKey {
  oid: string;
  /** DER SubjectPublicKeyInfo of the chip's static key. */
  spki: Buffer;
  keyId: number | null;
}

export interface SecurityInfos {
  pace: PaceInfo[];
  chipAuth: ChipAuthInfo[];
  chipAuthKeys: ChipAuthPublicKey[];
  /** ActiveAuthenticationInfo signature algorithm OID (ECDSA AA), if present. */
  aaSignatureAlgorithm: string | null;
}

function underPrefix(oid: string, prefix: string): string[] | null {
  return oid.startsWith(prefix + '.') ? oid.slice(prefix.length + 1).split('.') : null;
}

/** Parse a DER/BER SET OF SecurityInfo (the content of EF.CardAccess, or DG14's value). */
export function parseSecurityInfos(set: Buffer | Tlv): SecurityInfos {
  const t = Buffer.isBuffer(set) ? readTlv(set) : set;
  const out: SecurityInfos = { pace: [], chipAuth: [], chipAuthKeys: [], aaSignatureAlgorithm: null };
  for (const info of children(t)) {
    if (info.tag !== 0x30) continue;
    const f = children(info);
    if (f[0]?.tag !== 0x06) continue;
    const oid = decodeOid(f[0].value);
    const pace = underPrefix(oid, OID.PACE);
    if (pace && pace.length === 2) {
      const m = MAPPINGS[at(pace, 0)];
      const c = CIPHERS[at(pace, 1)];
      if (!m || !c || !f[1]) continue;
      out.pace.push({ oid, version: smallInt(f[1]), parameterId: f[2]?.tag === 0x02 ? smallInt(f[2]) : null, ...m, cipher: c });
      continue;
    }
    const ca = underPrefix(oid, OID.CA);
    if (ca && ca.length === 2) {
      const c = CIPHERS[at(ca, 1)];
      if (!c || !f[1] || (ca[0] !== '1' && ca[0] !== '2')) continue;
      out.chipAuth.push({
        oid,
        version: smallInt(f[1]),
        keyId: f[2]?.tag === 0x02 ? smallInt(f[2]) : null,
        agreement: ca[0] === '1' ? 'DH' : 'ECDH',
        cipher: c,
      });
      continue;
    }
    if (oid === OID.PK_DH || oid === OID.PK_ECDH) {
      if (f[1]?.tag !== 0x30) continue;
      out.chipAuthKeys.push({ oid, spki: Buffer.from(f[1].raw), keyId: f[2]?.tag === 0x02 ? smallInt(f[2]) : null });
      continue;
    }
    if (oid === OID.AA_INFO && f[2]?.tag === 0x06) out.aaSignatureAlgorithm = decodeOid(f[2].value);
  }
  return out;
}

/** PACE standard domain parameters (9303-11 Table 6) → OpenSSL curve name. MODP groups are not supported. */
export const PACE_CURVES: Readonly<Record<number, string>> = {
  8: 'prime192v1',
  9: 'brainpoolP192r1',
  10: 'secp224r1',
  11: 'brainpoolP224r1',
  12: 'prime256v1',
  13: 'brainpoolP256r1',
  14: 'brainpoolP320r1',
  15: 'secp384r1',
  16: 'brainpoolP384r1',
  17: 'brainpoolP512r1',
  18: 'secp521r1',
};
