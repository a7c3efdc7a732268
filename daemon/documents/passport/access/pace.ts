// PACE v2 with generic mapping (ECDH or DH), host side (ICAO 9303-11 §4.4, docs/reference/passport.md §4), reproducing
// the Appendix G.1 worked example value by value (test/unit/passport/vectors.test.ts). The MRZ password key is
// Kπ = KDF(SHA-1(MRZ information), 3); the chip's nonce s is mapped to G~ = s·G + SK·PK_PICC; key
// agreement runs on G~; the authentication tokens are MACs over the other side's ephemeral key.
// DH generic mapping runs the same steps in a MODP subgroup (pace-groups.ts). Integrated mapping and
// PACE-CAM are not implemented (refused with CARD_UNSUPPORTED so the caller falls back to BAC).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CardSession } from '../../../../drivers/reader/card-session.ts';
import { aesCbc, aesCmac, des3Cbc, padIso, retailMac } from '../../../../core/crypto/icao-primitives.ts';
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { bytesToBig } from './ec.ts';
import { paceGroup, randomBelow } from './pace-groups.ts';
import { kdf, SecureMessaging, type SmCipher } from './secure-messaging.ts';
import type { PaceInfo } from '../datagroups/security-infos.ts';
import { children, encodeOidValue, find, readTlv, tlv } from '../../../encoding/ber-tlv.ts';

export interface PaceOptions {
  /** Test hook: the host's ephemeral private keys (mapping, then agreement), given the group order. Default: random in [1, n-1]. */
  scalar?: (order: bigint) => bigint;
  /** MRZ (1) or CAN (2). */
  passwordRef?: 1 | 2;
}

export interface PaceResult {
  sm: SecureMessaging;
  info: PaceInfo;
  curve: string;
  /** The chip's ephemeral public key (PACE-CAM/CA cross-checks use it). */
  chipEphemeral: Buffer;
}

/** The password key Kπ from the MRZ information (full SHA-1, then KDF counter 3). */
export function pacePasswordKey(mrzInformation: Buffer, cipher: SmCipher): Buffer {
  const k = createHash('sha1').update(mrzInformation).digest();
  const out = kdf(k, 3, cipher);
  k.fill(0);
  return out;
}

export function decryptNonce(kPi: Buffer, z: Buffer, cipher: SmCipher): Buffer {
  return cipher === '3DES' ? des3Cbc(kPi, Buffer.alloc(8), z, false) : aesCbc(kPi, Buffer.alloc(16), z, false);
}

/** Authentication token over the other party's ephemeral point (9303-11 §4.4.3.4). */
export function authToken(kMac: Buffer, cipher: SmCipher, oid: string, point: Buffer, keyTag: 0x86 | 0x84 = 0x86): Buffer {
  const input = tlv(0x7f49, tlv(0x06, encodeOidValue(oid)), tlv(keyTag, point));
  return cipher === '3DES' ? retailMac(kMac, padIso(input, 8)) : aesCmac(kMac, input).subarray(0, 8);
}

function dynamicData(res: { data: Buffer; sw: number }, tag: number, step: string): Buffer {
  if (res.sw !== 0x9000) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, `PACE ${step} refused`, { sw: res.sw.toString(16).toUpperCase() });
  const outer = readTlv(res.data);
  if (outer.tag !== 0x7c) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `PACE ${step}: no dynamic authentication data`);
  const item = find(children(outer), tag);
  if (!item) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `PACE ${step}: tag ${tag.toString(16)} missing`);
  return item.value;
}

async function generalAuthenticate(session: CardSession, last: boolean, tag: number | null, value: Buffer, respTag: number, step: string): Promise<Buffer> {
  const data = tlv(0x7c, tag === null ? Buffer.alloc(0) : tlv(tag, value));
  // 2048-bit DH values make both the command and the answer longer than a short APDU carries.
  const res = await session.send({ cla: last ? 0x00 : 0x10, ins: 0x86, p1: 0, p2: 0, data, le: value.length > 120 ? 65536 : 256 });
  return dynamicData(res, respTag, step);
}

/** Run PACE generic mapping (ECDH or DH) with the MRZ password. Throws CARD_UNSUPPORTED for other PACEInfos. */
export async function runPace(session: CardSession, info: PaceInfo, mrzInformation: Buffer, o: PaceOptions = {}): Promise<PaceResult> {
  const parameterId = info.parameterId;
  const group = info.mapping === 'GM' ? paceGroup(info.agreement, parameterId) : null;
  if (!group || parameterId === null) {
    throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, `PACE ${info.agreement}-${info.mapping} with parameter ${info.parameterId} is not supported`);
  }
  const scalar = o.scalar ?? randomBelow;
  const kPi = pacePasswordKey(mrzInformation, info.cipher);
  try {
    const oidValue = encodeOidValue(info.oid);
    const mse = Buffer.concat([tlv(0x80, oidValue), tlv(0x83, Buffer.from([o.passwordRef ?? 1])), tlv(0x84, Buffer.from([parameterId]))]);
    const mseRes = await session.send({ cla: 0x00, ins: 0x22, p1: 0xc1, p2: 0xa4, data: mse });
    if (mseRes.sw !== 0x9000) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'PACE MSE:Set AT refused', { sw: mseRes.sw.toString(16).toUpperCase() });

    const z = await generalAuthenticate(session, false, null, Buffer.alloc(0), 0x80, 'nonce');
    const s = bytesToBig(decryptNonce(kPi, z, info.cipher));

    const skMap = scalar(group.order);
    const pkMap = group.publicKey(skMap, group.generator);
    const pkPiccMap = group.decode(await generalAuthenticate(session, false, 0x81, pkMap, 0x82, 'mapping'));
    const gTilde = group.map(s, group.agree(skMap, pkPiccMap));

    const eSk = scalar(group.order);
    const ePk = group.publicKey(eSk, gTilde);
    const ePkPiccBytes = await generalAuthenticate(session, false, 0x83, ePk, 0x84, 'key agreement');
    if (ePkPiccBytes.equals(ePk)) throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'PACE: chip echoed the host ephemeral key');
    const k = group.secret(group.agree(eSk, group.decode(ePkPiccBytes)));
    const kEnc = kdf(k, 1, info.cipher);
    const kMac = kdf(k, 2, info.cipher);
    k.fill(0);

    const tPcd = authToken(kMac, info.cipher, info.oid, ePkPiccBytes, group.tokenTag);
    const tPicc = await generalAuthenticate(session, true, 0x85, tPcd, 0x86, 'mutual authentication');
    const expect = authToken(kMac, info.cipher, info.oid, ePk, group.tokenTag);
    if (tPicc.length !== 8 || !timingSafeEqual(tPicc, expect))
      throw new KioskError(ErrorCodes.CARD_AUTH_FAILED, 'PACE: chip authentication token does not verify');
    return { sm: new SecureMessaging({ cipher: info.cipher, kEnc, kMac }), info, curve: group.name, chipEphemeral: Buffer.from(ePkPiccBytes) };
  } finally {
    kPi.fill(0);
  }
}
