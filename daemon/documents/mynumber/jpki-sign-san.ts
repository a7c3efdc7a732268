// The holder attributes of a JPKI signing certificate (署名用電子証明書): subjectAltName otherName values
// under the J-LIS arc 1.2.392.200149.8.5.5 (docs/reference/mynumber.md §4.1) — .1 name, .2 name in substitute characters,
// .3 sex, .4 date of birth, .5 address, .6 address in substitute characters. Parsed strictly from the
// extension's DER; a certificate without these values yields nulls (e.g. an authentication certificate).
import { at, defined } from '../../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { OID, parseExtensions } from '../../trust/x509-extensions.ts';
import { parseDateYYYYMMDD, sexFromCode, type Sex } from './basic-info.ts';
import { decodeOid } from '../../encoding/asn1.ts';
import { CARD_BER } from '../../encoding/ber-tlv.ts';

export const JPKI_SAN_ARC = '1.2.392.200149.8.5.5';
export const JPKI_SAN = {
  name: `${JPKI_SAN_ARC}.1`,
  nameSubstitute: `${JPKI_SAN_ARC}.2`,
  sex: `${JPKI_SAN_ARC}.3`,
  dateOfBirth: `${JPKI_SAN_ARC}.4`,
  address: `${JPKI_SAN_ARC}.5`,
  addressSubstitute: `${JPKI_SAN_ARC}.6`,
} as const;

export interface JpkiSignAttributes {
  name: string | null;
  nameSubstitute: string | null;
  sexCode: string | null;
  sex: Sex | null;
  /** Value as stored (form per the J-LIS profile, UNVERIFIED: era digit + YYYYMMDD). */
  dateOfBirthRaw: string | null;
  /** YYYY-MM-DD when the stored value could be read. */
  dateOfBirth: string | null;
  address: string | null;
  addressSubstitute: string | null;
}

const bad = (msg: string) => new KioskError(ErrorCodes.TRUST_CERT_MALFORMED, `signing certificate subjectAltName: ${msg}`);

/** DER string types a profile may use for these values. */
function decodeDirectoryString(tag: number, v: Buffer): string {
  const fatal = (enc: string) => {
    try {
      return new TextDecoder(enc, { fatal: true }).decode(v);
    } catch {
      throw bad(`value is not valid ${enc}`);
    }
  };
  switch (tag) {
    case 0x0c: // UTF8String
      return fatal('utf-8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
      if (!v.every((b) => b >= 0x20 && b < 0x7f)) throw bad('non-ASCII byte in an ASCII string');
      return v.toString('latin1');
    case 0x1e: // BMPString (UTF-16BE)
      return fatal('utf-16be');
    default:
      throw bad(`unsupported string type ${tag.toString(16)}`);
  }
}

const ERA_START: Record<string, number> = { '1': 1868, '2': 1912, '3': 1926, '4': 1989, '5': 2019 };

/**
 * Date of birth from the certificate. Accepted forms (the profile text is UNVERIFIED, docs/reference/mynumber.md §4.1):
 * E‖YYYYMMDD (era digit then the Gregorian date), YYYYMMDD, and E‖YYMMDD (era year). Anything else → null.
 */
export function jpkiDateOfBirth(raw: string): string | null {
  if (/^[1-5]\d{8}$/.test(raw)) return parseDateYYYYMMDD(raw.slice(1));
  if (/^\d{8}$/.test(raw)) return parseDateYYYYMMDD(raw);
  const m = /^([1-5])(\d{2})(\d{2})(\d{2})$/.exec(raw);
  if (m) {
    const year = defined(ERA_START[at(m, 1)]) + Number(m[2]) - 1;
    return parseDateYYYYMMDD(`${year}${m[3]}${m[4]}`);
  }
  return null;
}

/** otherName type-id → string value, from a GeneralNames DER. Repeated type-ids are an error. */
export function otherNames(generalNames: Buffer): Map<string, string> {
  const seq = CARD_BER.read(generalNames, 0, 'subjectAltName');
  if (seq.tag !== 0x30 || seq.end !== generalNames.length) throw bad('not one SEQUENCE');
  const out = new Map<string, string>();
  for (const gn of CARD_BER.all(generalNames, 'subjectAltName', seq.valueStart, seq.valueEnd)) {
    if (gn.tag !== 0xa0) continue; // other GeneralName forms (e.g. directoryName) carry no holder data here
    const [oidT, wrapped, ...rest] = CARD_BER.all(generalNames, 'otherName', gn.valueStart, gn.valueEnd);
    if (oidT?.tag !== 0x06 || !wrapped || wrapped.tag !== 0xa0 || rest.length) throw bad('malformed otherName');
    const inner = CARD_BER.read(generalNames, wrapped.valueStart, 'otherName value', wrapped.valueEnd);
    if (inner.end !== wrapped.end) throw bad('trailing bytes in an otherName value');
    const oid = decodeOid(oidT.value, 'otherName type-id');
    if (out.has(oid)) throw bad(`otherName ${oid} repeated`);
    out.set(oid, decodeDirectoryString(inner.tag, inner.value));
  }
  return out;
}

export function jpkiSignAttributes(certDer: Buffer): JpkiSignAttributes {
  let san: Buffer | undefined;
  try {
    san = parseExtensions(certDer).raw.get(OID.subjectAltName)?.value;
  } catch (e) {
    throw e instanceof KioskError ? e : bad((e as Error).message);
  }
  let names = new Map<string, string>();
  if (san) {
    try {
      names = otherNames(san);
    } catch (e) {
      if (e instanceof KioskError && e.code === ErrorCodes.CARD_MALFORMED_RESPONSE) throw bad(e.message);
      throw e;
    }
  }
  const get = (oid: string) => names.get(oid) ?? null;
  const sexCode = get(JPKI_SAN.sex);
  const dobRaw = get(JPKI_SAN.dateOfBirth);
  return {
    name: get(JPKI_SAN.name),
    nameSubstitute: get(JPKI_SAN.nameSubstitute),
    sexCode,
    sex: sexCode === null ? null : sexFromCode(sexCode),
    dateOfBirthRaw: dobRaw,
    dateOfBirth: dobRaw === null ? null : jpkiDateOfBirth(dobRaw),
    address: get(JPKI_SAN.address),
    addressSubstitute: get(JPKI_SAN.addressSubstitute),
  };
}
