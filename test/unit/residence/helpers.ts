// Shared fixtures for residence-card unit tests: one synthetic CA per generation and test file, cards on
// the in-process reader, a CardSession that records every exchange.
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { CardSession, type ExchangeRecord } from '../../../drivers/reader/card-session.ts';
import { generateKeyPairSync } from 'node:crypto';
import {
  createResidenceCa,
  createVirtualResidenceCard,
  type KeyPair,
  type SynthCert,
  type VirtualResidenceOptions,
} from '../../../drivers/sim/residence/index.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import type { SecretPrompt } from '../../../daemon/documents/secrets.ts';

const cas = new Map<1 | 2, SynthCert>();
export function testCa(generation: 1 | 2): SynthCert {
  let ca = cas.get(generation);
  if (!ca) {
    ca = createResidenceCa(generation);
    cas.set(generation, ca);
  }
  return ca;
}

export function trustBoth(): TrustStore {
  return new TrustStore([testCa(1).x509, testCa(2).x509]);
}

const cardKeys = new Map<1 | 2, KeyPair>();
export function residenceCard(o: VirtualResidenceOptions) {
  let k = cardKeys.get(o.generation);
  if (!k) {
    k = o.generation === 1 ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    cardKeys.set(o.generation, k);
  }
  return createVirtualResidenceCard({ ca: testCa(o.generation), cardKeyPair: k, ...o });
}

export async function sessionFor(card: Parameters<SimulatedReaderDriver['insert']>[0], extended: 'auto' | 'never' | 'always' = 'auto') {
  const reader = new SimulatedReaderDriver();
  reader.start();
  reader.insert(card);
  const log: ExchangeRecord[] = [];
  const channel = await reader.connect(reader.readers()[0]!.name);
  return { reader, log, session: new CardSession(channel, { extended, onExchange: (r) => log.push(r) }) };
}

/** A prompt that answers once with `number` and counts calls. */
export function promptWith(number: string): SecretPrompt & { calls: number } {
  const p = (async () => {
    p.calls++;
    return Buffer.from(number, 'latin1');
  }) as unknown as SecretPrompt & { calls: number };
  p.calls = 0;
  return p;
}
