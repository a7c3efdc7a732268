// Residence card protocol, host side (docs/reference/residence.md): detection by card type, the card-number
// access control (GET CHALLENGE → MUTUAL AUTHENTICATE → session key → encrypted VERIFY), secure-messaging
// READ BINARY of DF1 files and plain reads of DF2/DF3 — each as one extended APDU where reader and card take
// it (the form of the ISA Appendix 2 example), else in short chunks by offset. Chunked plain reads are what
// a field-used public reader does; chunked SM reads are our own design, unverified on real cards (see
// smReadFile and the reference's "Readers without extended APDUs").
//
// Safety: one card-number attempt per call. A `63 00` at MUTUAL AUTHENTICATE or VERIFY (the card's key
// is derived from its own number, so a wrong number already fails the authentication MAC on the card)
// ends the attempt with RESIDENCE_CARD_NUMBER_WRONG; nothing is retried and the other generation's
// crypto is never tried — the generation comes from the card type alone.
import { at } from '../../../core/checked.ts';
import { randomBytes } from 'node:crypto';
import { sw1, SW_OK, swHex, type CommandApdu } from '../../../drivers/reader/apdu.ts';
import { statusError, type CardSession } from '../../../drivers/reader/card-session.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { baseKey, checkCardAuth, hostAuthData, openSmData, sessionKey, verifyDataObject, type CipherSuite } from './access-crypto.ts';
import { CARD_NUMBER_PATTERN, CARD_TYPES, MAX_FILE_BYTES, MF_SFI, RESIDENCE_TLV, type Generation } from './constants.ts';

const SW_AUTH_FAILED = 0x6300;
/**
 * Plain bytes asked per short SM read, largest first. 0xDF: the AES answer 86 81 E1 01 ‖ 224 fits one short
 * R-APDU. A link that returns at most 0xDF bytes per response (some contactless readers) answers 67 00 to
 * that; 0xCF gives 86 81 D1 01 ‖ 208 (212 bytes, 3DES 86 81 D1 01 ‖ 208 too), and 0x7F a quarter-size answer.
 */
const SM_CHUNKS = [0xdf, 0xcf, 0x7f] as const;
/** Le per short plain read, largest first: 256 (Le 00), then 0xDF for links that cap responses there, then 0x80. */
const PLAIN_CHUNKS = [256, 0xdf, 0x80] as const;

export type CardTypeInfo =
  | { supported: true; cardType: string; generation: Generation; kind: 'residence-card' | 'special-permanent-resident'; specVersion: string | null }
  | { supported: false; cardType: string; specified: boolean; specVersion: string | null };

/** Read one small MF file by SFI: 2-byte TLV header first, then the value (as eringoio's field-used reader does). */
async function readSmallMfTlv(session: CardSession, sfi: number, tag: number): Promise<string | null> {
  const head = await session.send({ cla: 0x00, ins: 0xb0, p1: 0x80 | sfi, p2: 0x00, le: 2 });
  if ((head.sw !== SW_OK && head.sw !== 0x6282) || head.data.length !== 2 || head.data[0] !== tag) return null;
  const len = at(head.data, 1);
  if (len === 0 || len > 0x20) return null;
  const body = await session.send({ cla: 0x00, ins: 0xb0, p1: 0x80 | sfi, p2: 0x02, le: len });
  if ((body.sw !== SW_OK && body.sw !== 0x6282) || body.data.length !== len) return null;
  return body.data.toString('latin1');
}

/** SELECT MF and read the card type (MF/EF02, tag C1). null: not a residence card. */
export async function readCardType(session: CardSession): Promise<CardTypeInfo | null> {
  const sel = await session.send({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x00, data: Buffer.from([0x3f, 0x00]) });
  if (sel.sw !== SW_OK) return null;
  const cardType = await readSmallMfTlv(session, MF_SFI.cardType, 0xc1);
  if (cardType === null) return null;
  const specVersion = await readSmallMfTlv(session, MF_SFI.specVersion, 0xc0);
  const t = CARD_TYPES[cardType];
  if (!t) return { supported: false, cardType, specified: false, specVersion };
  if (t === 'specified') return { supported: false, cardType, specified: true, specVersion };
  return { supported: true, cardType, generation: t.generation, kind: t.kind, specVersion };
}

export async function selectDf(session: CardSession, aid: Buffer, what: string): Promise<void> {
  const sw = await session.selectAid(aid);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

/** The session key after a successful card-number VERIFY. Wipe it (`close`) when done. */
export interface ResidenceSession {
  suite: CipherSuite;
  ksEnc: Buffer;
  close(): void;
}

function wrongNumber(step: string): KioskError {
  return new KioskError(ErrorCodes.RESIDENCE_CARD_NUMBER_WRONG, 'the card did not accept the card number', { step, sw: '6300' });
}

export interface AccessTestHooks {
  /** Fixed RND.IFD ‖ K.IFD (24 bytes) for the official example; production uses fresh random bytes. */
  hostRandom?: Buffer;
}

/**
 * The card-number access control. `cardNumber` is 12 upper-case ASCII bytes, already format-checked by
 * the caller (checked again here: a malformed number never reaches the card). The caller wipes it.
 */
export async function authenticateWithCardNumber(
  session: CardSession,
  suite: CipherSuite,
  cardNumber: Buffer,
  hooks: AccessTestHooks = {},
): Promise<ResidenceSession> {
  if (!CARD_NUMBER_PATTERN.test(cardNumber.toString('latin1'))) {
    throw new KioskError(ErrorCodes.PIN_FORMAT, 'the residence card number must be 2 letters, 8 digits, 2 letters (nothing was sent to the card)');
  }
  const k = baseKey(cardNumber);
  const random = hooks.hostRandom ?? randomBytes(24);
  const rndIfd = random.subarray(0, 8);
  const kIfd = random.subarray(8, 24);
  let kIcc: Buffer | null = null;
  try {
    const challenge = await session.send({ cla: 0x00, ins: 0x84, p1: 0x00, p2: 0x00, le: 8 });
    if (challenge.sw !== SW_OK) throw statusError(challenge.sw, 'GET CHALLENGE');
    if (challenge.data.length !== 8) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `GET CHALLENGE returned ${challenge.data.length} bytes`);
    const rndIcc = challenge.data;

    const auth = await session.send({ cla: 0x00, ins: 0x82, p1: 0x00, p2: 0x00, data: hostAuthData(suite, k, rndIfd, rndIcc, kIfd), le: 256, sensitive: true });
    if (auth.sw === SW_AUTH_FAILED) throw wrongNumber('mutual-authenticate');
    if (auth.sw !== SW_OK) throw statusError(auth.sw, 'MUTUAL AUTHENTICATE');
    kIcc = checkCardAuth(suite, k, auth.data, rndIfd, rndIcc);
    const ksEnc = sessionKey(kIfd, kIcc);

    const verifyData = verifyDataObject(suite, ksEnc, cardNumber);
    try {
      const v = await session.send({ cla: 0x08, ins: 0x20, p1: 0x00, p2: 0x86, data: verifyData, sensitive: true });
      if (v.sw === SW_AUTH_FAILED) throw wrongNumber('verify');
      if (v.sw !== SW_OK) throw statusError(v.sw, 'VERIFY card number');
    } catch (e) {
      ksEnc.fill(0);
      throw e;
    } finally {
      verifyData.fill(0);
    }
    return { suite, ksEnc, close: () => ksEnc.fill(0) };
  } finally {
    k.fill(0);
    random.fill(0);
    kIcc?.fill(0);
  }
}

/** Remembers, per card session, whether extended APDUs got through (so a fallback happens once). */
export class ReadMode {
  extended: boolean | null;
  constructor(o: { extended?: 'auto' | 'never' | 'always' } = {}) {
    this.extended = o.extended === 'never' ? false : o.extended === 'always' ? true : null;
  }
}

function extendedRefused(e: unknown): boolean {
  return e instanceof KioskError && e.code === ErrorCodes.READER_TRANSMIT_FAILED;
}

async function tryExtended(session: CardSession, mode: ReadMode, cmd: CommandApdu): Promise<{ data: Buffer; sw: number } | null> {
  if (mode.extended === false) return null;
  let res: Awaited<ReturnType<typeof session.send>>;
  try {
    res = await session.send(cmd, true);
  } catch (e) {
    if (mode.extended === true || !extendedRefused(e)) throw e;
    mode.extended = false;
    return null;
  }
  if ((res.sw === 0x6700 || sw1(res.sw) === 0x6c) && mode.extended !== true) {
    mode.extended = false;
    return null;
  }
  mode.extended = true;
  return res;
}

function smOpen(s: ResidenceSession, data: Buffer, what: string): Buffer {
  let dos: ReturnType<typeof RESIDENCE_TLV.all>;
  try {
    dos = RESIDENCE_TLV.all(data, what);
  } catch (e) {
    throw new KioskError(ErrorCodes.CARD_SM_FAILED, `${what}: SM answer is not a data object (${(e as Error).message})`);
  }
  const only = dos.length === 1 ? dos[0] : undefined;
  const d86 = only?.tag === 0x86 ? only.value : null;
  if (d86?.[0] !== 0x01) throw new KioskError(ErrorCodes.CARD_SM_FAILED, `${what}: SM answer lacks the 86 01 data object`);
  return openSmData(s.suite, s.ksEnc, d86.subarray(1));
}

function smStatus(sw: number, what: string): KioskError {
  if (sw === 0x6988 || sw === 0x6987 || sw === 0x6882) {
    return new KioskError(ErrorCodes.CARD_SM_FAILED, `${what}: card refused the secure-messaging command`, { sw: swHex(sw) });
  }
  return statusError(sw, what);
}

/**
 * Secure-messaging READ BINARY of a DF1 file by SFI (the DF must be selected): one extended APDU
 * `08 B0 80|SFI 00 ‖ 00 00 04 ‖ 96 02 00 00 ‖ 00 00` for the whole file — exactly the form of the ISA
 * Appendix 2 example. Without extended APDUs, short chunks `08 B0 <offset> 04 96 02 00 DF 00`: the
 * specification defines the SM Le object with a non-zero value and P1–P2 offsets, but no public source shows
 * a card answering them (no public reader reads SM files in chunks). What is ours and UNVERIFIED on real
 * cards: the short command form, each answer being its own cryptogram (IV 0, padded on its own), and the
 * end-of-file answers (6B00 at the end, 6282 on a short chunk).
 */
export async function smReadFile(session: CardSession, s: ResidenceSession, mode: ReadMode, sfi: number, what: string): Promise<Buffer> {
  const whole = await tryExtended(session, mode, { cla: 0x08, ins: 0xb0, p1: 0x80 | sfi, p2: 0x00, data: Buffer.from([0x96, 0x02, 0x00, 0x00]), le: 65536 });
  if (whole) {
    if (whole.sw !== SW_OK && whole.sw !== 0x6282) throw smStatus(whole.sw, what);
    const plain = smOpen(s, whole.data, what);
    if (plain.length > MAX_FILE_BYTES) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${plain.length} bytes`);
    return plain;
  }
  const parts: Buffer[] = [];
  let offset = 0;
  let size = 0; // index into SM_CHUNKS: shrinks (never grows) when the link refuses an answer as too long
  for (;;) {
    const addressing = offset === 0 ? { p1: 0x80 | sfi, p2: 0 } : { p1: offset >> 8, p2: offset & 0xff };
    const want = at(SM_CHUNKS, size);
    const res = await session.send({ cla: 0x08, ins: 0xb0, ...addressing, data: Buffer.from([0x96, 0x02, 0x00, want]), le: 256 });
    if (res.sw === 0x6b00 && offset > 0) break; // exactly at the end of the file
    if (res.sw === 0x6700 && size < SM_CHUNKS.length - 1) {
      size++; // the same offset again with a smaller chunk
      continue;
    }
    if (res.sw !== SW_OK && res.sw !== 0x6282) throw smStatus(res.sw, what);
    const chunk = smOpen(s, res.data, what);
    if (chunk.length > want) throw new KioskError(ErrorCodes.CARD_SM_FAILED, `${what}: ${chunk.length} bytes for SM Le ${want}`);
    parts.push(chunk);
    offset += chunk.length;
    if (chunk.length < want || res.sw === 0x6282) break;
    if (offset > MAX_FILE_BYTES || offset > 0x7fff)
      throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: file larger than ${MAX_FILE_BYTES} bytes`);
  }
  return Buffer.concat(parts);
}

/** Plain READ BINARY of a whole DF2/DF3 file by SFI: extended Le 0000, else 256-byte chunks by offset (smaller after a 67 00). */
export async function plainReadFile(session: CardSession, mode: ReadMode, sfi: number, what: string): Promise<Buffer> {
  const whole = await tryExtended(session, mode, { cla: 0x00, ins: 0xb0, p1: 0x80 | sfi, p2: 0x00, le: 65536 });
  if (whole) {
    if (whole.sw !== SW_OK && whole.sw !== 0x6282) throw statusError(whole.sw, what);
    if (whole.data.length > MAX_FILE_BYTES) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${whole.data.length} bytes`);
    return whole.data;
  }
  const parts: Buffer[] = [];
  let offset = 0;
  let size = 0; // index into PLAIN_CHUNKS, as in smReadFile
  for (;;) {
    const addressing = offset === 0 ? { p1: 0x80 | sfi, p2: 0 } : { p1: offset >> 8, p2: offset & 0xff };
    const le = at(PLAIN_CHUNKS, size);
    const res = await session.send({ cla: 0x00, ins: 0xb0, ...addressing, le });
    if (res.sw === 0x6b00 && offset > 0) break;
    if (res.sw === 0x6700 && size < PLAIN_CHUNKS.length - 1) {
      size++;
      continue;
    }
    if (res.sw !== SW_OK && res.sw !== 0x6282) throw statusError(res.sw, what);
    if (res.data.length > le) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${res.data.length} bytes for Le ${le}`);
    parts.push(res.data);
    offset += res.data.length;
    if (res.data.length < le || res.sw === 0x6282) break;
    if (offset > MAX_FILE_BYTES) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: file larger than ${MAX_FILE_BYTES} bytes`);
  }
  return Buffer.concat(parts);
}
