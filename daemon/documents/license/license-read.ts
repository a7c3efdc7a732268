// The licence's card protocol: detect DF1, read the free MF files, stop early for an expired licence,
// verify PIN1 (and PIN2 when the kiosk is configured to read 本籍 / the photo), then read DF1 and DF2.
// This module only talks to the card and returns raw file contents; license-verdict.ts decodes and decides.
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { statusError } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { SecretPrompt } from '../secrets.ts';
import { parseCommonData, parsePinSetting, type LicenseCommonData, type PinSetting } from './common-data.ts';
import { DF1_EF, DF1_EF_SIZE, DF2_EF_PHOTO, LICENSE_DF1_AID, LICENSE_DF2_AID, MAX_LICENSE_EF_BYTES, MF_EF } from './constants.ts';
import { isExpired } from './jis.ts';
import { checkTries, selectMf, verifyLicensePin } from './license-pin.ts';

export type LicenseStep = 'identify' | 'pin' | 'read-info';

export interface LicenseFiles {
  matters: Buffer;
  gaiji: Buffer | null;
  changes: Buffer | null;
  changedGaiji: Buffer | null;
  signature: Buffer | null;
  honseki: Buffer | null;
  honsekiChanges: Buffer | null;
  photo: Buffer | null;
}

export interface LicenseEvidence {
  common: LicenseCommonData;
  pinSetting: PinSetting;
  pin1TriesBefore: number;
  pin2TriesBefore: number | null;
  /** Null when the licence was refused before any PIN (expired). */
  files: LicenseFiles | null;
}

export interface ReadLicenseOptions {
  prompt: SecretPrompt;
  /** Read DF1/EF02 本籍, EF06 and the DF2 photo: asks for PIN2 too (only when the kiosk's mode needs them). */
  withPin2: boolean;
  now: Date;
  progress?: (step: LicenseStep) => void;
  /** Keypad entries allowed per PIN (CLI: 1; kiosk: until tries ≤ 1). */
  pinAttempts?: number;
}

export async function hasLicenseDf1(session: CardSession): Promise<boolean> {
  return (await session.selectAid(LICENSE_DF1_AID)) === SW_OK;
}

async function selectEf(session: CardSession, fid: number, what: string): Promise<void> {
  const sw = await session.selectEf(fid);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

/**
 * Read a whole transparent EF: 256-byte READ BINARYs until `size` bytes (a fixed-size EF, never read past
 * its end), or, when the size is not known, until a short answer, 6282 (end of file before Le) or 6B00
 * (offset past the end). 6700 halves the chunk (older chips); at an offset > 0 a 6700 that persists down to
 * the smallest chunk is the end of the file (licences answer a read at the end with 6700, not 6B00).
 */
export async function readWholeEf(session: CardSession, what: string, size?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  let chunk = 256;
  for (;;) {
    if (size !== undefined && offset >= size) break;
    if (offset > MAX_LICENSE_EF_BYTES || offset > 0x7fff) {
      throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: larger than ${MAX_LICENSE_EF_BYTES} bytes`);
    }
    const le = size === undefined ? chunk : Math.min(chunk, size - offset);
    const res = await session.send({ cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le });
    if (res.sw === 0x6b00 && offset > 0) break;
    if (res.sw === 0x6700 && chunk > 16) {
      chunk >>= 1;
      continue;
    }
    if (res.sw === 0x6700 && offset > 0) break;
    if (res.sw !== SW_OK && res.sw !== 0x6282) throw statusError(res.sw, `READ BINARY ${what}`);
    if (res.data.length > le) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${res.data.length} bytes for Le ${le}`);
    parts.push(res.data);
    offset += res.data.length;
    if (res.sw === 0x6282 || res.data.length < le) break;
  }
  return Buffer.concat(parts);
}

/** Select and read an EF; null when the card says it does not exist or may not be read here. */
async function readOptional(session: CardSession, fid: number, what: string, size?: number): Promise<Buffer | null> {
  const sw = await session.selectEf(fid);
  if (sw === 0x6a82) return null;
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
  try {
    return await readWholeEf(session, what, size);
  } catch (e) {
    if (e instanceof KioskError && (e.code === ErrorCodes.CARD_SECURITY_NOT_SATISFIED || e.code === ErrorCodes.CARD_FILE_NOT_FOUND)) return null;
    throw e;
  }
}

async function selectAid(session: CardSession, aid: Buffer, what: string): Promise<void> {
  const sw = await session.selectAid(aid);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

export async function readLicense(session: CardSession, o: ReadLicenseOptions): Promise<LicenseEvidence> {
  o.progress?.('identify');
  if (!(await hasLicenseDf1(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no driver-licence application (DF1) on this card');

  await selectMf(session);
  await selectEf(session, MF_EF.common, 'MF/EF01');
  const common = parseCommonData(await readWholeEf(session, 'MF/EF01'));
  await selectEf(session, MF_EF.pinSetting, 'MF/EF02');
  const pinSetting = parsePinSetting(await readWholeEf(session, 'MF/EF02'));

  // An expired licence is refused from the free data alone: no PIN is asked for, no counter is touched.
  if (isExpired(common.expiryDate, o.now)) {
    return { common, pinSetting, pin1TriesBefore: 0, pin2TriesBefore: null, files: null };
  }

  o.progress?.('pin');
  // Both counters are checked before the first VERIFY, so PIN1 is not spent when PIN2 is already unusable.
  await checkTries(session, 'pin1');
  if (o.withPin2) await checkTries(session, 'pin2');
  const pinOpts = { setting: pinSetting, prompt: o.prompt, attempts: o.pinAttempts };
  const pin1TriesBefore = await verifyLicensePin(session, 'pin1', pinOpts);
  const pin2TriesBefore = o.withPin2 ? await verifyLicensePin(session, 'pin2', pinOpts) : null;

  o.progress?.('read-info');
  await selectAid(session, LICENSE_DF1_AID, 'DF1');
  const df1 = (fid: number, what: string) => readOptional(session, fid, what, DF1_EF_SIZE[fid]);
  const matters = await df1(DF1_EF.matters, 'DF1/EF01');
  if (!matters) throw new KioskError(ErrorCodes.CARD_FILE_NOT_FOUND, 'DF1/EF01 記載事項 could not be read after PIN1');
  const files: LicenseFiles = {
    matters,
    gaiji: await df1(DF1_EF.gaiji, 'DF1/EF03'),
    changes: await df1(DF1_EF.changes, 'DF1/EF04'),
    changedGaiji: await df1(DF1_EF.changedGaiji, 'DF1/EF05'),
    signature: await df1(DF1_EF.signature, 'DF1/EF07'),
    honseki: null,
    honsekiChanges: null,
    photo: null,
  };
  if (o.withPin2) {
    files.honseki = await df1(DF1_EF.honseki, 'DF1/EF02');
    files.honsekiChanges = await df1(DF1_EF.honsekiChanges, 'DF1/EF06');
    await selectAid(session, LICENSE_DF2_AID, 'DF2');
    files.photo = await readOptional(session, DF2_EF_PHOTO, 'DF2/EF01');
  }
  return { common, pinSetting, pin1TriesBefore, pin2TriesBefore, files };
}
