// Passport PACE + full read, host CPU (issue 20), and APDU counts per document flow.
//
// Every flow runs in process against its virtual card through a CardSession (the way the unit tests drive
// them; no pcscd, so the counts are the protocol's own and the CPU is not the socket's). Host CPU is
// process.cpuUsage() around the read minus the CPU the virtual card spent answering (its own
// cpuUsage() around each card.process call), so only the kiosk side is counted. APDUs are counted at
// the transport (CardSession.onExchange: every command sent, GET RESPONSE included).
//
// The passport chip: PACE ECDH-GM brainpoolP256r1 + AES-128, chip authentication, RSA active
// authentication, DG1/2/11/12/14/15 with a 34,000-byte face (a typical JPEG face is 15–35 kB).
import { pathToFileURL } from 'node:url';
import { CardSession } from '../drivers/reader/card-session.ts';
import type { CardChannel } from '../drivers/reader/types.ts';
import { PassportCard, testHolder, type PassportCardOptions } from '../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../drivers/sim/passport/certs.ts';
import { createFullMyNumberCard } from '../drivers/sim/mynumber/index.ts';
import { checkCodeB } from '../drivers/sim/mynumber/holder.ts';
import { createJpkiAuthCa, createJpkiSignCa } from '../drivers/sim/pki.ts';
import { createVirtualLicense, DEFAULT_TEST_PIN1, DEFAULT_TEST_PIN2 } from '../drivers/sim/license/index.ts';
import { createVirtualResidenceCard, DEFAULT_TEST_CARD_NUMBER } from '../drivers/sim/residence/index.ts';
import { createResidenceCa } from '../drivers/sim/residence/pki.ts';
import { readPassport } from '../daemon/documents/passport/passport-read.ts';
import { readJpkiAuth } from '../daemon/documents/mynumber/jpki-auth.ts';
import { readJpkiSign } from '../daemon/documents/mynumber/jpki-sign.ts';
import { readTextAp } from '../daemon/documents/mynumber/text-ap.ts';
import { readVisualAp } from '../daemon/documents/mynumber/visual-ap.ts';
import { readLicense } from '../daemon/documents/license/license-read.ts';
import { readResidence } from '../daemon/documents/residence/read-residence.ts';
import type { SecretPrompt } from '../daemon/documents/secrets.ts';
import { fmt, printTable, stat, type BenchRow } from './table.ts';

interface VirtualCard {
  atr: Buffer;
  process(apdu: Buffer): Buffer;
}

const cpuUs = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** One read against a fresh card: APDUs sent and host CPU (ms) with the card's own CPU taken out. */
async function measure(
  card: VirtualCard,
  read: (s: CardSession) => Promise<unknown>,
  extended: 'auto' | 'never' = 'auto',
): Promise<{ apdus: number; hostMs: number }> {
  let cardUs = 0;
  const channel: CardChannel = {
    readerName: 'in-process',
    atr: card.atr,
    protocol: 'T1' as CardChannel['protocol'],
    transmit: async (apdu) => {
      const t = cpuUs();
      const r = card.process(apdu);
      cardUs += cpuUs() - t;
      return r;
    },
    disconnect: async () => {},
  };
  let apdus = 0;
  const session = new CardSession(channel, { extended, onExchange: () => apdus++ });
  const t0 = cpuUs();
  await read(session);
  return { apdus, hostMs: (cpuUs() - t0 - cardUs) / 1000 };
}

const answers = (values: Record<string, string>): SecretPrompt =>
  (async (r: { purpose: string }) => {
    const v = values[r.purpose];
    if (v === undefined) throw new Error(`bench: no answer for ${r.purpose}`);
    return Buffer.from(v, 'latin1');
  }) as SecretPrompt;

interface Flow {
  name: string;
  card: () => VirtualCard;
  read: (s: CardSession) => Promise<unknown>;
  extended?: 'auto' | 'never';
}

function flows(): Flow[] {
  const holder = testHolder({ documentNumber: 'TZ1234567', dateOfBirth: '900115', dateOfExpiry: '341231' });
  const csca = createCsca({ country: 'JP' });
  const pki = { csca, dsc: issueBy(csca, { cn: 'BENCH DS' }) };
  const passport =
    (o: Partial<PassportCardOptions> = {}) =>
    () =>
      new PassportCard({ holder, pki, faceBytes: 34_000, ...o });
  const accessKey = () => ({ documentNumber: Buffer.from('TZ1234567'), dateOfBirth: Buffer.from('900115'), dateOfExpiry: Buffer.from('341231') });
  const readP = (s: CardSession) => readPassport(s, { accessKey: accessKey() });

  const mn = createFullMyNumberCard({ authCa: createJpkiAuthCa(), signCa: createJpkiSignCa(), pin: '1234', textPin: '2580', signPassword: 'ABC123XYZ' });
  const myNumber = () => createFullMyNumberCard({ pki: mn.pki, pin: '1234', textPin: '2580', signPassword: 'ABC123XYZ' }).card;
  const residenceCas = { 1: createResidenceCa(1), 2: createResidenceCa(2) } as const;
  const residence = (generation: 1 | 2) => () => createVirtualResidenceCard({ generation, ca: residenceCas[generation] }).card;

  return [
    { name: 'JPKI user authentication', card: myNumber, read: (s) => readJpkiAuth(s, { prompt: answers({ 'jpki-auth-pin': '1234' }) }) },
    {
      name: 'JPKI signature',
      card: myNumber,
      read: (s) => readJpkiSign(s, { prompt: answers({ 'jpki-sign-password': 'ABC123XYZ' }), data: Buffer.from('bench') }),
    },
    { name: 'My Number card, text AP (4 items)', card: myNumber, read: (s) => readTextAp(s, { prompt: answers({ 'mynumber-text-pin': '2580' }) }) },
    {
      name: 'My Number card, visual AP (face)',
      card: myNumber,
      read: (s) => readVisualAp(s, { prompt: answers({ 'mynumber-check-code-b': checkCodeB(mn.holder) }) }),
    },
    {
      name: 'driving licence (PIN1 + PIN2)',
      card: () => createVirtualLicense(),
      read: (s) =>
        readLicense(s, { prompt: answers({ 'license-pin1': DEFAULT_TEST_PIN1, 'license-pin2': DEFAULT_TEST_PIN2 }), withPin2: true, now: new Date() }),
    },
    {
      name: 'residence card, 1st generation',
      card: residence(1),
      read: (s) => readResidence(s, { prompt: answers({ 'residence-card-number': DEFAULT_TEST_CARD_NUMBER }) }),
    },
    {
      name: 'residence card, 2nd generation',
      card: residence(2),
      read: (s) => readResidence(s, { prompt: answers({ 'residence-card-number': DEFAULT_TEST_CARD_NUMBER }) }),
    },
    { name: 'passport, PACE + CA + AA, 34 kB face', card: passport(), read: readP },
    { name: 'passport, PACE, reader without extended length', card: passport(), read: readP, extended: 'never' },
    { name: 'passport, BAC + CA + AA, 34 kB face', card: passport({ pace: false }), read: readP },
  ];
}

const WARMUP = 2;

export async function run(o: { runs: number; quick?: boolean }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const all = flows();
  const results = new Map<string, { apdus: number[]; hostMs: number[] }>();
  // Interleaved (flow A, B, … then again), so machine load drifts over all flows alike.
  for (let i = 0; i < o.runs + WARMUP; i++) {
    for (const f of all) {
      const m = await measure(f.card(), f.read, f.extended);
      if (i < WARMUP) continue;
      const r = results.get(f.name) ?? { apdus: [], hostMs: [] };
      r.apdus.push(m.apdus);
      r.hostMs.push(m.hostMs);
      results.set(f.name, r);
    }
  }
  const pace = results.get(all.find((f) => f.name.startsWith('passport, PACE + CA'))!.name)!;
  const paceCpu = stat(pace.hostMs, 'ms CPU');
  rows.push({
    group: 'passport',
    kind: 'in process',
    what: 'passport PACE + full read (CA, AA, DG1/2/11/12/14/15), host CPU',
    idkiosk: paceCpu,
    target: '≤ 30 ms CPU',
    met: paceCpu.median <= 30,
    note: `virtual chip's CPU excluded; ${o.runs} runs after ${WARMUP} warm-up; ${pace.apdus[0]} APDUs`,
  });
  for (const f of all) {
    const r = results.get(f.name)!;
    const cpu = stat(r.hostMs, 'ms CPU');
    rows.push({
      group: 'apdus',
      kind: 'in process',
      what: `APDUs: ${f.name}`,
      idkiosk: stat(r.apdus, 'count'),
      note: `host CPU median ${fmt(cpu.median)} ms (${fmt(cpu.min)}–${fmt(cpu.max)})`,
    });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--runs');
  console.log(printTable(await run({ runs: i > 0 ? Number(process.argv[i + 1]) : 7 })));
}
