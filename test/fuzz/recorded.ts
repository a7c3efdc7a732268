// Genuine sessions, recorded once per process: each document's virtual card (drivers/sim, the card side
// of the published protocols) is read through the in-process reader by the daemon's own read code, and the
// evidence — every file and signed answer the card gave — becomes the fuzz targets' seed corpus and the
// judged targets' "genuine" baseline. Synthetic identities and keys only (generated here at run time).
// Memoized: the fuzz budget test builds every target in one process, and key generation is the slow part.
// Persisted when IDKIOSK_FUZZ_RECORDINGS names a directory (scripts/fuzz.ts sets it): keys are random, so a
// case number reproduces a finding only against the same recording — every target process and a later
// `--case` run then read the same files. Recordings are plain data (buffers, maps, certificate DER).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandApdu } from '../../drivers/reader/apdu.ts';
import { CardSession } from '../../drivers/reader/card-session.ts';
import type { CardChannel } from '../../drivers/reader/types.ts';
import { createVirtualLicense } from '../../drivers/sim/license/index.ts';
import { createFullMyNumberCard, virtualCardTrustConfig } from '../../drivers/sim/mynumber/index.ts';
import { createJpkiAuthCa, createJpkiSignCa } from '../../drivers/sim/pki.ts';
import { PassportCard, testHolder } from '../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../drivers/sim/passport/certs.ts';
import { createResidenceCa, createVirtualResidenceCard } from '../../drivers/sim/residence/index.ts';
import { readLicense, type LicenseEvidence } from '../../daemon/documents/license/license-read.ts';
import { readJpkiAuth, type JpkiAuthEvidence } from '../../daemon/documents/mynumber/jpki-auth.ts';
import { readJpkiSign, type JpkiSignEvidence } from '../../daemon/documents/mynumber/jpki-sign.ts';
import { readTextAp, type TextApEvidence } from '../../daemon/documents/mynumber/text-ap.ts';
import { readVisualAp, type VisualApEvidence } from '../../daemon/documents/mynumber/visual-ap.ts';
import { runBac } from '../../daemon/documents/passport/access/bac.ts';
import { mrzInformation } from '../../daemon/documents/passport/datagroups/mrz.ts';
import { EMRTD_AID, readCardAccess, readPassport, type PassportEvidence } from '../../daemon/documents/passport/passport-read.ts';
import type { SmKeys } from '../../daemon/documents/passport/access/secure-messaging.ts';
import { readResidence, type ResidenceEvidence } from '../../daemon/documents/residence/read-residence.ts';
import type { RevocationChecker } from '../../daemon/trust/revocation.ts';

// JSON with buffers and maps (the recordings' only non-JSON types).
const replacer = function (this: Record<string, unknown>, k: string, v: unknown): unknown {
  const raw = this[k];
  if (Buffer.isBuffer(raw)) return { $b: raw.toString('hex') };
  if (raw instanceof Map) return { $m: [...raw] };
  return v;
};
const reviver = (_k: string, v: unknown): unknown => {
  if (v && typeof v === 'object' && '$b' in v) return Buffer.from((v as { $b: string }).$b, 'hex');
  if (v && typeof v === 'object' && '$m' in v) return new Map((v as { $m: [unknown, unknown][] }).$m);
  return v;
};

const once = <T>(name: string, f: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | null = null;
  return () =>
    (p ??= (async () => {
      const dir = process.env.IDKIOSK_FUZZ_RECORDINGS;
      const file = dir ? join(dir, `${name}.json`) : null;
      if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'), reviver) as T;
      const r = await f();
      if (dir && file) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(r, replacer));
      }
      return r;
    })());
};

/** A CardSession straight onto a virtual card, keeping every raw response (the card's own output). */
function sessionOn(card: { atr: Buffer; process(apdu: Buffer): Buffer | Promise<Buffer> }): { session: CardSession; responses: Buffer[] } {
  const responses: Buffer[] = [];
  const channel: CardChannel = {
    readerName: 'fuzz in-process',
    atr: card.atr,
    protocol: 'T1' as CardChannel['protocol'],
    transmit: async (apdu) => {
      const r = await card.process(apdu);
      responses.push(Buffer.from(r));
      return r;
    },
    disconnect: async () => {},
  };
  return { session: new CardSession(channel), responses };
}

const prompt = (secret: string) => async () => Buffer.from(secret, 'latin1');
export const goodRevocation: RevocationChecker = { check: async () => ({ status: 'good', source: 'crl', checkedAt: new Date().toISOString() }) };

// ---------- My Number ----------

export interface MyNumberRecording {
  jpkiAuth: JpkiAuthEvidence;
  /** The synthetic JPKI user-authentication CA (DER). */
  authCaDer: Buffer;
  text: TextApEvidence;
  visual: VisualApEvidence;
  /** The mynumber trust configuration that accepts this process's virtual cards' CV CA keys. */
  cvTrust: ReturnType<typeof virtualCardTrustConfig>;
  /** Every raw card response of the three sessions (EF reads, signatures, status words). */
  responses: Buffer[];
}

export const recordMyNumber = once('mynumber', async (): Promise<MyNumberRecording> => {
  const authCa = createJpkiAuthCa();
  const { card } = createFullMyNumberCard({ authCa, signCa: createJpkiSignCa(), pin: '1234', textPin: '2580', signPassword: 'ABC123XYZ' });
  const a = sessionOn(card);
  const jpkiAuth = await readJpkiAuth(a.session, { prompt: prompt('1234'), challenge: Buffer.alloc(32, 0x5a) });
  const t = sessionOn(card);
  const text = await readTextAp(t.session, { prompt: prompt('2580') });
  const v = sessionOn(card);
  // 照合番号B of the synthetic holder: birth date in the Japanese era (平成2年1月1日 → 020101) ‖ expiry year ‖
  // security code (drivers/sim/mynumber SYNTHETIC_HOLDER).
  const visual = await readVisualAp(v.session, { prompt: prompt('020101' + '2035' + '4321') });
  return {
    jpkiAuth,
    authCaDer: Buffer.from(authCa.x509.raw),
    text,
    visual,
    cvTrust: virtualCardTrustConfig(),
    responses: [...a.responses, ...t.responses, ...v.responses],
  };
});

export interface JpkiSignRecording {
  jpkiSign: JpkiSignEvidence;
  /** The synthetic JPKI signing CA (DER). */
  signCaDer: Buffer;
  responses: Buffer[];
}

/** A JPKI 署名用 session (its own card, so the My Number recording's format stays as persisted). */
export const recordJpkiSign = once('jpki-sign', async (): Promise<JpkiSignRecording> => {
  const signCa = createJpkiSignCa();
  const { card } = createFullMyNumberCard({ authCa: createJpkiAuthCa(), signCa, pin: '1234', textPin: '2580', signPassword: 'ABC123XYZ' });
  const s = sessionOn(card);
  const jpkiSign = await readJpkiSign(s.session, { prompt: prompt('ABC123XYZ'), data: Buffer.from('idkiosk fuzz transaction') });
  return { jpkiSign, signCaDer: Buffer.from(signCa.x509.raw), responses: s.responses };
});

// ---------- Driver's licence ----------

export interface LicenseRecording {
  evidence: LicenseEvidence;
  /** The synthetic EF07 signing key's certificate (DER). */
  trustDer: Buffer;
  responses: Buffer[];
}

export const recordLicense = once('license', async (): Promise<LicenseRecording> => {
  // No PIN set: the default PIN opens DF1 and DF2, so EF07 covers everything read (photo included).
  const card = createVirtualLicense({ pins: 'default' });
  const s = sessionOn(card);
  const evidence = await readLicense(s.session, { prompt: prompt('0000'), withPin2: true, now: new Date() });
  return { evidence, trustDer: Buffer.from(card.signingKey.x509.raw), responses: s.responses };
});

// ---------- Residence card, both generations ----------

export interface ResidenceRecording {
  evidence: ResidenceEvidence;
  /** The synthetic issuing CA (DER). */
  trustDer: Buffer;
  responses: Buffer[];
}

export const recordResidence = (generation: 1 | 2) => (generation === 1 ? recordResidence1() : recordResidence2());
const residence = (generation: 1 | 2) =>
  once(`residence-gen${generation}`, async (): Promise<ResidenceRecording> => {
    const ca = createResidenceCa(generation);
    const cardKeyPair = generation === 1 ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const { card } = createVirtualResidenceCard({ generation, ca, cardKeyPair });
    const s = sessionOn(card);
    const evidence = await readResidence(s.session, { prompt: prompt('AA12345678BB') });
    return { evidence, trustDer: Buffer.from(ca.x509.raw), responses: s.responses };
  });
const recordResidence1 = residence(1);
const recordResidence2 = residence(2);

// ---------- Passport ----------

const KEY = { documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '341231' };
const accessKey = () => ({
  documentNumber: Buffer.from(KEY.documentNumber),
  dateOfBirth: Buffer.from(KEY.dateOfBirth),
  dateOfExpiry: Buffer.from(KEY.dateOfExpiry),
});

/** One secure-messaging answer as the host received it, with the state needed to check it again. */
export interface SmExchange {
  keys: SmKeys;
  /** The SSC just before the host checked this answer (unprotect increments it first). */
  ssc: Buffer;
  /** The protected response data field (DO87/DO85, DO99, DO8E) and its SW1-SW2. */
  raw: Buffer;
  sw: number;
  /** What the host got out of it: the genuine plain answer. */
  plain: { data: Buffer; sw: number };
}

export interface PassportRecording {
  evidence: PassportEvidence;
  /** The synthetic CSCA (DER). */
  cscaDer: Buffer;
  /** EF.CardAccess as the chip serves it (plain, from the MF). */
  cardAccess: Buffer | null;
  /** Protected answers of a BAC session: SELECT, READ BINARY of EF.COM/DG1/SOD, INTERNAL AUTHENTICATE. */
  sm: SmExchange[];
  /** Active authentication: the fixed RND.IFD and the chip's plain answer to it. */
  aa: { challenge: Buffer; response: Buffer } | null;
  responses: Buffer[];
}

export const recordPassport = once('passport', async (): Promise<PassportRecording> => {
  const csca = createCsca({ country: 'JP' });
  const pki = { csca, dsc: issueBy(csca, { cn: 'TEST DS FUZZ' }) };
  const holder = testHolder(KEY);
  const card = new PassportCard({ holder, pki, faceBytes: 1500 });
  const s = sessionOn(card);
  const evidence = await readPassport(s.session, { accessKey: accessKey(), readFace: true });
  const cardAccessRaw = await (async () => {
    const r = sessionOn(card);
    await readCardAccess(r.session);
    // The last response is EF.CardAccess's READ BINARY (data ‖ SW).
    const last = r.responses.at(-1);
    return last && last.length > 2 ? last.subarray(0, last.length - 2) : null;
  })();

  // A BAC session by hand on the same chip (a PACE chip also offers BAC, 9303-11 §4.2), keeping each
  // protected answer with the SSC it was checked under (§9.8: SSC incremented before each command and answer).
  const b = sessionOn(card);
  if ((await b.session.selectAid(EMRTD_AID)) !== 0x9000) throw new Error('virtual passport: eMRTD application not selectable');
  const sm = await runBac(b.session, mrzInformation(accessKey()));
  const exchanges: SmExchange[] = [];
  const send = async (cmd: CommandApdu) => {
    const wrapped = sm.protect(cmd);
    const res = await b.session.send(wrapped, (wrapped.le ?? 0) > 256);
    const ssc = Buffer.from(sm.ssc);
    const plain = sm.unprotect(res);
    exchanges.push({ keys: { ...sm.crypto.keys }, ssc, raw: Buffer.from(res.data), sw: res.sw, plain: { data: Buffer.from(plain.data), sw: plain.sw } });
    return plain;
  };
  await send({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([0x01, 0x1e]) });
  await send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0x20 });
  await send({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([0x01, 0x01]) });
  await send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 0x60 });
  await send({ cla: 0, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([0x09, 0x99]) }); // absent: 6A82 under SM
  let aa: PassportRecording['aa'] = null;
  if (evidence.dataGroups.has(15)) {
    const challenge = Buffer.from('4608F91988702212', 'hex'); // 9303-11 Appendix D's RND.IFD, reused as a fixed challenge
    const r = await send({ cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: 256 });
    aa = { challenge, response: Buffer.from(r.data) };
  }
  return { evidence, cscaDer: Buffer.from(csca.x509.raw), cardAccess: cardAccessRaw, sm: exchanges, aa, responses: [...s.responses, ...b.responses] };
});
