// Shared fixtures for the My Number tests: one synthetic auth CA and signing CA per test file, full
// virtual cards on the in-process reader, and a CardSession that records every exchange.
import { CardSession, type ExchangeRecord } from '../../../drivers/reader/card-session.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import { createFullMyNumberCard, type FullMyNumberOptions, type MyNumberCard } from '../../../drivers/sim/mynumber/index.ts';
import { createJpkiAuthCa, createJpkiSignCa, type MyNumberPki, type TestCertificate } from '../../../drivers/sim/pki.ts';
import type { SecretPrompt, SecretRequest } from '../../../daemon/documents/secrets.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';

let authCa: TestCertificate | null = null;
let signCa: TestCertificate | null = null;

export const cas = () => {
  authCa ??= createJpkiAuthCa();
  signCa ??= createJpkiSignCa();
  return { authCa, signCa };
};
export const signTrust = () => new TrustStore([cas().signCa.x509]);
export const authTrust = () => new TrustStore([cas().authCa.x509]);

let sharedPki: MyNumberPki | null = null;

/**
 * A full virtual card. Cards share one synthetic PKI (RSA key generation dominates test time) unless an
 * option changes the certificates.
 */
export function fullCard(o: FullMyNumberOptions = {}) {
  const base = { authCa: cas().authCa, signCa: cas().signCa, pin: '1234', textPin: '2580', signPassword: 'ABC123XYZ' };
  const ownPki = o.expired || o.unknownCa || o.holder;
  const made = createFullMyNumberCard({ ...base, ...(ownPki ? {} : { pki: sharedPki ?? undefined }), ...o });
  if (!ownPki) sharedPki ??= made.pki;
  return made;
}

export async function sessionFor(card: MyNumberCard) {
  const reader = new SimulatedReaderDriver();
  reader.start();
  reader.insert(card);
  const log: ExchangeRecord[] = [];
  const channel = await reader.connect(reader.readers()[0]!.name);
  return { log, session: new CardSession(channel, { onExchange: (r) => log.push(r) }) };
}

/** A prompt that answers the given entries in order and records every request. */
export function scriptedPrompt(...entries: string[]): SecretPrompt & { requests: SecretRequest[] } {
  const requests: SecretRequest[] = [];
  const fn = (async (req: SecretRequest) => {
    requests.push(req);
    const next = entries.shift();
    if (next === undefined) throw new Error(`unexpected prompt for ${req.purpose}`);
    return Buffer.from(next, 'latin1');
  }) as SecretPrompt & { requests: SecretRequest[] };
  fn.requests = requests;
  return fn;
}
