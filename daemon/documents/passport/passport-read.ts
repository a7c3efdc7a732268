// The passport protocol run (ICAO 9303-11): access control (PACE when EF.CardAccess offers a supported
// PACEInfo, else — or when PACE fails — BAC), then the LDS reads through secure messaging, chip
// authentication when DG14 offers it (before the bulk reads, so they all run under the CA keys), and
// active authentication when DG15 is present. Which data groups exist is taken from EF.SOD's signed
// data-group hash list, never from EF.COM alone: EF.COM is unsigned, so a clone that edits it to hide
// DG14/DG15 would otherwise skip the anti-clone protocols. A data group the SOD lists that the chip will
// not serve is recorded in `missing`. Produces evidence; passport-verdict.ts decides.
import { defined } from '../../../core/checked.ts';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import type { ReadStep } from '../../kiosk/session-machine.ts';
import { ErrorCodes, isKioskError, KioskError } from '../../../core/errors.ts';
import { runBac } from './access/bac.ts';
import { activeAuthentication, chipAuthentication, type AaResult, type CaResult } from './access/chip-auth.ts';
import { DATA_GROUPS, dg14Set, parseDg1, parseDg15, parseDg2, parseEfCom, parseTextDg, type EfCom, type FaceImage } from './datagroups/data-groups.ts';
import { LdsFileReader, tlvTotal } from './datagroups/file-reader.ts';
import { mrzInformation, type AccessKeyInput, type MrzFields } from './datagroups/mrz.ts';
import { runPace, type PaceOptions } from './access/pace.ts';
import { SecureChannel, type SmCipher } from './access/secure-messaging.ts';
import { paceGroup } from './access/pace-groups.ts';
import { parseSecurityInfos, type SecurityInfos } from './datagroups/security-infos.ts';
import { sodDataGroupNumbers } from './pki/passive-auth.ts';

export const EMRTD_AID = Buffer.from('A0000002471001', 'hex');

export interface PassportReadOptions {
  accessKey: AccessKeyInput;
  progress?: (step: ReadStep) => void;
  /** Read DG2 (the face). Default true. */
  readFace?: boolean;
  /** Skip PACE even when offered (diagnostics). */
  noPace?: boolean;
  /** Test hooks for PACE's ephemeral keys. */
  pace?: PaceOptions;
}

export interface PassportEvidence {
  access: 'BAC' | 'PACE';
  /** Why PACE was not used although EF.CardAccess offered it (fallback to BAC), else null. */
  paceFallback: string | null;
  paceProtocol: string | null;
  smCipher: SmCipher;
  com: EfCom;
  sod: Buffer;
  /** Every data group read, whole. */
  dataGroups: Map<number, Buffer>;
  dg1: MrzFields;
  face: FaceImage | null;
  dg11: Record<string, string> | null;
  dg12: Record<string, string> | null;
  aa: AaResult | null;
  aaAdvertised: boolean;
  ca: CaResult | null;
  caAdvertised: boolean;
  /** DG numbers the SOD (signed) lists; null when EF.SOD does not parse (passive authentication refuses). */
  sodListed: number[] | null;
  /** DG numbers the SOD lists that the chip did not serve (SELECT answered 6A82): a clone hides DG14/DG15 so. */
  missing: number[];
  /** DG numbers listed that were not read (CA failed before them). */
  unread: number[];
}

/** True when the card answers the eMRTD application or offers PACE in EF.CardAccess. */
export async function hasEmrtd(session: CardSession): Promise<boolean> {
  if ((await session.selectAid(EMRTD_AID)) === 0x9000) return true;
  const ca = await readCardAccess(session).catch(() => null);
  return ca !== null && ca.pace.length > 0;
}

/** EF.CardAccess from the MF by SFI 1C (plain). Null when absent. */
export async function readCardAccess(session: CardSession): Promise<SecurityInfos | null> {
  // Back to the MF (EF.CardAccess lives there). Chips differ: some want the empty form, some FID 3F00, and
  // some refuse both (6985) while the MF is current anyway — none of which is an error here.
  const mf = await session.send({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c });
  if (mf.sw !== 0x9000) await session.send({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: Buffer.from([0x3f, 0x00]) });
  const res = await session.send({ cla: 0x00, ins: 0xb0, p1: 0x9c, p2: 0x00, le: 256 });
  if (res.sw !== 0x9000 && res.sw !== 0x6282) return null;
  let data = res.data;
  const total = tlvTotal(data, 'EF.CardAccess');
  if (total > data.length) data = Buffer.concat([data, await session.readRange(data.length, total - data.length, 'EF.CardAccess')]);
  return parseSecurityInfos(data.subarray(0, total));
}

async function establishAccess(
  session: CardSession,
  mrz: Buffer,
  o: PassportReadOptions,
): Promise<{ channel: SecureChannel; access: 'BAC' | 'PACE'; paceFallback: string | null; paceProtocol: string | null }> {
  let paceFallback: string | null = null;
  const cardAccess = o.noPace
    ? null
    : await readCardAccess(session).catch((e) => {
        paceFallback = `EF.CardAccess unreadable (${(e as Error).message})`;
        return null;
      });
  const usable = cardAccess?.pace.filter((p) => p.mapping === 'GM' && paceGroup(p.agreement, p.parameterId) !== null) ?? [];
  if (cardAccess && cardAccess.pace.length > 0 && usable.length === 0)
    paceFallback = 'no supported PACEInfo (integrated/chip-authentication mapping or non-standard domain parameters)';
  for (const info of usable) {
    try {
      const r = await runPace(session, info, mrz, o.pace);
      const channel = new SecureChannel(session, r.sm);
      const sel = await channel.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID });
      if (sel.sw !== 0x9000) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'eMRTD application not selectable after PACE');
      return { channel, access: 'PACE', paceFallback: null, paceProtocol: info.oid };
    } catch (e) {
      if (!isKioskError(e) || e.code === ErrorCodes.CARD_REMOVED || e.code === ErrorCodes.SESSION_CANCELLED || e.code.startsWith('READER_')) throw e;
      paceFallback = `PACE failed: ${e.code}`;
    }
  }
  // BAC (ICAO 9303-11 §4.2: a chip with PACE also supports BAC unless it is PACE-only).
  const sel = await session.selectAid(EMRTD_AID);
  if (sel !== 0x9000) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'the eMRTD application did not answer', { sw: sel.toString(16).toUpperCase() });
  try {
    const sm = await runBac(session, mrz);
    return { channel: new SecureChannel(session, sm), access: 'BAC', paceFallback, paceProtocol: null };
  } catch (e) {
    if (isKioskError(e, ErrorCodes.CARD_AUTH_FAILED)) {
      throw new KioskError(ErrorCodes.PASSPORT_ACCESS_DENIED, 'the chip refused the access key (check the document number and dates)', {
        sw: e.detail.sw ?? null,
      });
    }
    throw e;
  }
}

export async function readPassport(session: CardSession, o: PassportReadOptions): Promise<PassportEvidence> {
  const mrz = mrzInformation(o.accessKey); // validated before any APDU
  try {
    o.progress?.('identify');
    const { channel, access, paceFallback, paceProtocol } = await establishAccess(session, mrz, o);
    mrz.fill(0);
    const reader = new LdsFileReader(() => channel);
    o.progress?.('read-info');
    const comFile = await reader.readFile(0x011e, 'EF.COM');
    if (!comFile) throw new KioskError(ErrorCodes.CARD_FILE_NOT_FOUND, 'EF.COM missing');
    const com = parseEfCom(comFile);
    const sod = await reader.readFile(0x011d, 'EF.SOD');
    if (!sod) throw new KioskError(ErrorCodes.PASSPORT_SOD_INVALID, 'EF.SOD missing');
    const dataGroups = new Map<number, Buffer>();
    const read = async (dg: number): Promise<Buffer | null> => {
      const fid = defined(
        DATA_GROUPS.find((d) => d.dg === dg),
        ErrorCodes.INTERNAL,
        `DG${dg}`,
      ).fid;
      const file = await reader.readFile(fid, `DG${dg}`);
      if (file) dataGroups.set(dg, file);
      return file;
    };
    const dg1File = await read(1);
    if (!dg1File) throw new KioskError(ErrorCodes.CARD_FILE_NOT_FOUND, 'DG1 missing');
    const dg1 = parseDg1(dg1File);

    // What the chip holds: the SOD's signed list, with EF.COM only adding optional groups to try.
    const sodListed = sodDataGroupNumbers(sod);
    const listed = (n: number) => sodListed?.includes(n) === true || com.dataGroups.includes(n);
    const missing: number[] = [];
    const readListed = async (n: number): Promise<Buffer | null> => {
      const file = await read(n);
      if (!file && sodListed?.includes(n)) missing.push(n);
      return file;
    };

    let ca: CaResult | null = null;
    let caAdvertised = false;
    let aaAlgorithm: string | null = null;
    const unread: number[] = [];
    if (listed(14)) {
      const dg14 = await readListed(14);
      if (dg14) {
        const infos = parseSecurityInfos(dg14Set(dg14));
        aaAlgorithm = infos.aaSignatureAlgorithm;
        caAdvertised = infos.chipAuthKeys.length > 0;
        if (caAdvertised) ca = await chipAuthentication(channel, infos);
      }
    }
    const rest = [2, 11, 12, 15].filter((n) => listed(n) && (n !== 2 || o.readFace !== false));
    let face: FaceImage | null = null;
    let dg11: Record<string, string> | null = null;
    let dg12: Record<string, string> | null = null;
    let aa: AaResult | null = null;
    if (ca?.status === 'failed') {
      unread.push(...rest); // the session is gone: nothing more can be read or trusted
    } else {
      for (const n of rest) {
        if (n === 2) o.progress?.('read-images');
        const file = await readListed(n);
        if (!file) continue;
        if (n === 2) face = parseDg2(file);
        if (n === 11) dg11 = parseTextDg(file, 0x6b);
        if (n === 12) dg12 = parseTextDg(file, 0x6c);
      }
      const dg15 = dataGroups.get(15);
      if (dg15) aa = await activeAuthentication(channel, parseDg15(dg15), aaAlgorithm);
    }
    return {
      access,
      paceFallback,
      paceProtocol,
      smCipher: channel.sm.cipher,
      com,
      sod,
      dataGroups,
      dg1,
      face,
      dg11,
      dg12,
      aa,
      aaAdvertised: listed(15),
      ca,
      caAdvertised,
      sodListed,
      missing,
      unread,
    };
  } finally {
    mrz.fill(0);
  }
}
