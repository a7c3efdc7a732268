// An age-20 session with each document type, through the real document handlers on virtual cards (the
// in-process reader), the router and the policy flow, with the clock injected one millisecond before and
// exactly at the 20th birthday (00:00 JST). The answer is yes/no only; the birth date appears nowhere in
// the result.
import { afterAll, describe, expect, it } from 'vitest';
import { CardSession } from '../../../drivers/reader/card-session.ts';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../../drivers/sim/virtual-card.ts';
import { LicenseCard, createLicenseSigningKey, syntheticHolder } from '../../../drivers/sim/license/index.ts';
import { PassportCard, testHolder } from '../../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { SYNTHETIC_HOLDER, virtualCardTrustConfig } from '../../../drivers/sim/mynumber/index.ts';
import { parseMyNumberConfig } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import type { SecretPrompt, SecretPurpose } from '../../../daemon/documents/secrets.ts';
import type { FlowContext } from '../../../daemon/kiosk/document-flow.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { ageReachedAt, jstDate } from '../../../daemon/policy/age.ts';
import { AGE_DOCUMENTS, BUILT_IN_POLICIES, policyRegistry } from '../../../daemon/policy/policy.ts';
import { policyFlow } from '../../../daemon/policy/policy-flow.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { revocationGood } from '../../harness/jpki.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';
import { residenceCard, testCa } from '../../unit/residence/helpers.ts';
import { licenseHolderOf } from '../../../daemon/documents/license/license-view.ts';
import { residenceViewOf } from '../../../daemon/documents/residence/residence-view.ts';

// The boundary: the next 00:00 JST after now; the holder was born on that calendar day 20 years earlier.
const next = jstDate(new Date(Date.now() + 86_400_000));
const birth = { year: next.year - 20, month: next.month, day: next.day };
const T0 = ageReachedAt(birth, 20);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const ISO = `${birth.year}-${pad(birth.month)}-${pad(birth.day)}`;
const YYYYMMDD = ISO.replace(/-/g, '');
const YYMMDD = YYYYMMDD.slice(2);
/** Every form the birth date could leak in. */
export const BIRTH_FORMS = [ISO, YYYYMMDD, YYMMDD, `${birth.year}年`];

const csca = createCsca({ country: 'JP' });
const passportPki = { csca, dsc: issueBy(csca, { cn: 'TEST DS AGE' }) };

// The licence's EF07 verification key is configured: without it a licence is only chip-read, which no age
// policy answers (test/integration/policy/chip-read-daemon.test.ts covers that side).
const licenseKey = createLicenseSigningKey();

const trust = (p: string) =>
  p === 'jpkiSign'
    ? new TrustStore([cas().signCa.x509])
    : p === 'residence'
      ? new TrustStore([testCa(2).x509])
      : p === 'csca'
        ? new TrustStore([csca.x509])
        : p === 'license'
          ? new TrustStore([licenseKey.x509])
          : new TrustStore([]);

const ANSWERS: Partial<Record<SecretPurpose, string>> = {
  'jpki-sign-password': 'ABC123XYZ',
  'mynumber-text-pin': '2580',
  'license-pin1': '1234',
  'license-pin2': '5678', // with a key configured the flow reads PIN2 too (the signed data covers 本籍 and the photo)
  'residence-card-number': 'AA12345678BB',
  'passport-document-number': 'TZ7654321',
  'passport-birth-date': YYMMDD,
  'passport-expiry-date': '341231',
};
const prompt: SecretPrompt = async (req) => Buffer.from(ANSWERS[req.purpose] ?? '', 'latin1');

function cardFor(doc: string): VirtualCard {
  switch (doc) {
    case 'mynumber-sign':
    case 'mynumber-info':
      return fullCard({ holder: { ...SYNTHETIC_HOLDER, dateOfBirth: YYYYMMDD } }).card;
    case 'license':
      return new LicenseCard({ holder: { ...syntheticHolder(), birthDate: ISO }, pins: { pin1: '1234', pin2: '5678' }, signingKey: licenseKey });
    case 'residence':
      return residenceCard({ generation: 2, printed: { dateOfBirth: YYYYMMDD } }).card;
    case 'passport':
      return new PassportCard({
        holder: testHolder({ documentNumber: 'TZ7654321', dateOfBirth: YYMMDD, dateOfExpiry: '341231' }),
        pki: passportPki,
        faceBytes: 500,
      });
  }
  throw new Error(doc);
}

const readers: SimulatedReaderDriver[] = [];
afterAll(async () => {
  for (const r of readers) await r.stop();
});

async function runAt(doc: string, at: Date, policy = 'age-20'): Promise<ResultView> {
  const now = () => at;
  // The virtual My Number card's 券面 data is signed under this process's synthetic test-hierarchy CV CA keys.
  const env = { trust, revocation: revocationGood, now, mynumber: parseMyNumberConfig(virtualCardTrustConfig()) };
  const handlers = AGE_DOCUMENTS.map((id) => DOCUMENTS.get(id)!(env));
  const flow = policyFlow(
    { run: (ctx) => routingFlow(handlers.filter((h) => ctx.documents!.includes(h.id))).run(ctx) },
    { policies: policyRegistry(BUILT_IN_POLICIES), walkUpPolicy: null, now },
  );
  const reader = new SimulatedReaderDriver();
  readers.push(reader);
  reader.start();
  reader.insert(cardFor(doc));
  const session = new CardSession(await reader.connect(reader.readers()[0]!.name));
  // The request names the policy and narrows to one document (both My Number routes live on one card).
  const ctx: FlowContext = { session, prompt, progress: () => {}, signal: new AbortController().signal, documents: [doc], policy };
  return flow.run(ctx);
}

describe.each(AGE_DOCUMENTS)('age-20 with %s', (doc) => {
  it('no at 23:59:59.999 JST the day before the 20th birthday, yes at 00:00 JST; never the birth date', async () => {
    const before = await runAt(doc, new Date(T0.getTime() - 1));
    const at = await runAt(doc, T0);
    expect(before.document).toBe(doc);
    expect(before.policy?.age).toEqual({ threshold: 20, over: false });
    expect(before).toMatchObject({ outcome: 'refused', reasons: ['AGE_BELOW_THRESHOLD'] });
    expect(at.policy?.age).toEqual({ threshold: 20, over: true });
    expect(at).toMatchObject({ outcome: 'verified', reasons: [] });
    // The age policy discloses nothing personal: no holder, licence holder, residence view, certificate.
    for (const v of [before, at]) {
      expect(v.holder ?? null).toBeNull();
      expect(licenseHolderOf(v) ?? null).toBeNull();
      expect(residenceViewOf(v) ?? null).toBeNull();
      expect(v.certificate ?? null).toBeNull();
      const text = JSON.stringify(v);
      for (const f of BIRTH_FORMS) expect(text).not.toContain(f);
      // Every verdict carries its legal-method entries and the table version.
      expect(v.policy!.legal.entries.map((e) => e.id).sort()).toEqual(
        ['mynumber-act', 'aml-current', 'aml-2027', 'mobile-phone-act'].map((r) => `${doc}/${r}`).sort(),
      );
      expect(v.policy!.legal.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    }
  }, 30_000);
});

describe('age-18 and non-age policies', () => {
  it('age-18: the same holder is already 18 the day before their 20th birthday', async () => {
    const v = await runAt('license', new Date(T0.getTime() - 1), 'age-18');
    expect(v.policy?.age).toEqual({ threshold: 18, over: true });
    expect(v.outcome).toBe('verified');
  });

  it('license policy discloses the licence holder (and no age answer)', async () => {
    const v = await runAt('license', T0, 'license');
    expect(v.policy?.age).toBeNull();
    expect(v.outcome).toBe('verified');
  });
});
