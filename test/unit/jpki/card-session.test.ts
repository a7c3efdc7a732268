// The APDU layer against the virtual card's transport quirks (T=0 GET RESPONSE, wrong Le, no extended
// length, short-read chips) and against malformed answers a real card or reader could produce.
import { describe, expect, it } from 'vitest';
import { CardSession, berTotalLength, type ExchangeRecord } from '../../../drivers/reader/card-session.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import type { CardChannel } from '../../../drivers/reader/types.ts';
import { readJpkiAuth } from '../../../daemon/documents/mynumber/jpki-auth.ts';
import { jpkiCardAndPki } from '../../harness/jpki.ts';
import type { TransportQuirks } from '../../../drivers/sim/iso7816/index.ts';

async function sessionFor(quirks: TransportQuirks, extended: 'auto' | 'never' | 'always' = 'auto') {
  const reader = new SimulatedReaderDriver();
  reader.start();
  const { card, pki } = jpkiCardAndPki({ quirks });
  reader.insert(card);
  const log: ExchangeRecord[] = [];
  const channel = await reader.connect(reader.readers()[0]!.name);
  return { card, pki, log, session: new CardSession(channel, { extended, onExchange: (r) => log.push(r) }) };
}

const pin = async () => Buffer.from('1234');

describe('CardSession against transport quirks', () => {
  it.each<[string, TransportQuirks]>([
    ['plain T=1', {}],
    ['T=0: every answer announced with 61xx', { getResponse: true }],
    ['wrong Le answered with 6Cxx', { wrongLe: true }],
    ['no extended APDUs (6700)', { rejectExtended: true }],
    ['chip answering at most 100 bytes per READ BINARY', { maxReadLength: 100, rejectExtended: true }],
  ])('%s: the JPKI flow reads the same certificate and gets a signature', async (_n, quirks) => {
    const { pki, session, log } = await sessionFor(quirks);
    const ev = await readJpkiAuth(session, { prompt: pin, challenge: Buffer.alloc(32, 7) });
    expect(ev.certificateDer.equals(pki.authCert.der)).toBe(true);
    expect(ev.signature.length).toBe(256);
    if (quirks.getResponse) expect(log.some((r) => r.command.startsWith('00C00000'))).toBe(true);
    // The PIN never appears in what the session reports.
    expect(log.map((r) => r.command).join()).not.toContain('31323334');
  });

  it('uses one extended READ BINARY for the certificate when the card accepts it', async () => {
    const { session, log } = await sessionFor({});
    await readJpkiAuth(session, { prompt: pin });
    expect(session.extendedUsable).toBe(true);
    const reads = log.filter((r) => r.command.startsWith('00B0'));
    expect(reads.some((r) => r.command.length > 10 && r.command.slice(8, 10) === '00')).toBe(true);
  });

  it('falls back to short chunks and remembers it when extended length is refused', async () => {
    const { session, log } = await sessionFor({ rejectExtended: true });
    await readJpkiAuth(session, { prompt: pin });
    expect(session.extendedUsable).toBe(false);
    const refused = log.filter((r) => r.sw === 0x6700);
    expect(refused.length).toBe(1);
  });
});

function stubChannel(answers: (apdu: Buffer) => Buffer): CardChannel {
  return { readerName: 'stub', atr: Buffer.alloc(0), protocol: 'T1', transmit: async (a) => answers(a), disconnect: async () => {} };
}

describe('CardSession against malformed answers', () => {
  it('a response without a status word is CARD_MALFORMED_RESPONSE', async () => {
    const s = new CardSession(stubChannel(() => Buffer.from([0x90])));
    await expect(s.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 })).rejects.toMatchObject({ code: 'CARD_MALFORMED_RESPONSE' });
  });

  it('endless 61xx chaining is cut off', async () => {
    const s = new CardSession(stubChannel(() => Buffer.from([0xaa, 0x61, 0x01])));
    await expect(s.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 })).rejects.toMatchObject({ code: 'CARD_MALFORMED_RESPONSE' });
  });

  it('a file announcing an absurd length is refused before reading it', async () => {
    const s = new CardSession(stubChannel(() => Buffer.from('3083FFFFFF00000000' + '9000', 'hex')));
    await expect(s.readTlvFile('cert')).rejects.toMatchObject({ code: 'CARD_MALFORMED_RESPONSE' });
  });

  it('more bytes than Le is refused', async () => {
    const s = new CardSession(stubChannel(() => Buffer.concat([Buffer.alloc(9), Buffer.from([0x90, 0])])));
    await expect(s.readBinary(0, 8, 'x')).rejects.toMatchObject({ code: 'CARD_MALFORMED_RESPONSE' });
  });

  it('berTotalLength handles short, long and multi-byte-tag forms', () => {
    expect(berTotalLength(Buffer.from('3003010203', 'hex'), 'x')).toBe(5);
    expect(berTotalLength(Buffer.from('30820100', 'hex'), 'x')).toBe(260);
    expect(berTotalLength(Buffer.from('5F408190', 'hex'), 'x')).toBe(0x90 + 4);
    expect(() => berTotalLength(Buffer.from('3080', 'hex'), 'x')).toThrow();
  });
});
