// Policy application: disclosure filtering, the age answer and its preconditions, config parsing.
import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../daemon/policy/apply-policy.ts';
import { attachBirthDate, birthDateOf } from '../../../daemon/policy/birth-date.ts';
import { parsePolicyConfig } from '../../../daemon/policy/policy-config.ts';
import { BUILT_IN_POLICIES, policyRegistry } from '../../../daemon/policy/policy.ts';
import { policyFlow } from '../../../daemon/policy/policy-flow.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import type { FlowContext } from '../../../daemon/kiosk/document-flow.ts';
import { reduce, initialState } from '../../../daemon/kiosk/session-machine.ts';
import { parseStart } from '../../../daemon/api/api-server.ts';

const P = policyRegistry(BUILT_IN_POLICIES);
const at = new Date('2026-06-01T03:00:00Z');

function signView(dob: string | null, outcome: ResultView['outcome'] = 'verified'): ResultView {
  const v: ResultView = {
    outcome,
    authenticity: 'proven',
    holderBinding: 'password',
    document: 'mynumber-sign',
    reasons: [],
    certificate: { serialNumber: '01', fingerprintSha256: 'AB', notAfter: '2030-01-01' },
    holder: { name: '見本 花子', address: '東京都', dateOfBirth: dob, sex: 'female' },
    checks: { chain: 'valid' },
  };
  return attachBirthDate(v, dob);
}

describe('applyPolicy', () => {
  it('age-20: yes/no only; holder and certificate withheld; the birth fact does not travel with the copy', () => {
    const yes = applyPolicy(P.get('age-20')!, signView('2000-01-01'), at);
    expect(yes).toMatchObject({ outcome: 'verified', reasons: [], checks: { chain: 'valid' }, policy: { name: 'age-20', age: { threshold: 20, over: true } } });
    expect(yes.holder).toBeUndefined();
    expect(yes.certificate).toBeUndefined();
    expect(birthDateOf(yes)).toBeNull();
    const no = applyPolicy(P.get('age-20')!, signView('2010-01-01'), at);
    expect(no).toMatchObject({ outcome: 'refused', reasons: ['AGE_BELOW_THRESHOLD'], policy: { age: { over: false } } });
  });

  it('the document must pass its own checks first: a refused document gives no age answer', () => {
    const v = applyPolicy(P.get('age-20')!, { ...signView('2000-01-01', 'refused'), reasons: ['TRUST_REVOKED'] }, at);
    expect(v).toMatchObject({ outcome: 'refused', reasons: ['TRUST_REVOKED'], policy: { age: { threshold: 20, over: null } } });
  });

  it('a verified document without a usable birth date is refused with its own code (never a guess)', () => {
    expect(applyPolicy(P.get('age-18')!, signView(null), at)).toMatchObject({
      outcome: 'refused',
      reasons: ['AGE_BIRTH_DATE_UNAVAILABLE'],
      policy: { age: { over: null } },
    });
    const bad = attachBirthDate({ outcome: 'verified', authenticity: 'proven', holderBinding: 'mrz-only', document: 'passport', reasons: [] }, '99AA01', 'mrz');
    expect(applyPolicy(P.get('age-18')!, bad, at).reasons).toEqual(['AGE_BIRTH_DATE_UNAVAILABLE']);
  });

  it('age answers come only from verified + proven data: chip-read (accepted or not) and unproven "verified" answer nothing', () => {
    const forged = (outcome: ResultView['outcome'], authenticity: ResultView['authenticity']) => ({ ...signView('2000-01-01', outcome), authenticity });
    for (const v of [forged('chip-read', 'chip-read'), forged('verified', 'chip-read'), forged('verified', null), forged('verified', 'failed')]) {
      const out = applyPolicy(P.get('age-20')!, v, at);
      expect(out).toMatchObject({ outcome: 'refused', reasons: ['DOCUMENT_NOT_PROVEN'], policy: { age: { threshold: 20, over: null } } });
      expect(out.policy!.legal.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
    }
    // Even a deployment's own age policy object that (wrongly) accepts chip-read cannot get an answer.
    const lax = { ...P.get('age-18')!, acceptChipRead: true };
    expect(applyPolicy(lax, forged('chip-read', 'chip-read'), at)).toMatchObject({ outcome: 'refused', policy: { age: { over: null } } });
  });

  it('a non-age policy passes an accepted chip-read through, with every legal entry not-satisfied', () => {
    const v = applyPolicy({ ...P.get('jpki-sign')!, acceptChipRead: true }, { ...signView('2000-01-01', 'chip-read'), authenticity: 'chip-read' }, at);
    expect(v).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', reasons: [] });
    expect(v.policy!.legal.entries.map((e) => e.status)).toEqual(['not-satisfied', 'not-satisfied', 'not-satisfied', 'not-satisfied']);
    // The same document verified keeps the table's statuses (mynumber-sign is mapped with conditions under 犯収法).
    expect(applyPolicy(P.get('jpki-sign')!, signView('2000-01-01'), at).policy!.legal.entries.map((e) => e.status)).toContain('satisfies-with-conditions');
  });

  it('non-age policies keep what they disclose and drop the rest', () => {
    const v = applyPolicy(P.get('jpki-sign')!, signView('2000-01-01'), at);
    expect(v.holder?.name).toBe('見本 花子');
    expect(v.certificate?.serialNumber).toBe('01');
    expect(v.policy?.age).toBeNull();
    const a = applyPolicy(P.get('jpki-auth')!, signView('2000-01-01'), at);
    expect(a.holder).toBeUndefined();
  });
});

/** A flow context with no card session and no prompts (policyFlow's inner flow is a stub). */
const ctx = (over: Partial<FlowContext>): FlowContext => ({
  session: {} as never,
  prompt: (async () => Buffer.alloc(0)) as never,
  progress: () => {},
  signal: new AbortController().signal,
  ...over,
});

describe('policyFlow', () => {
  it('narrows documents to the policy, applies it; walk-up policy when no request; none → unchanged', async () => {
    const seen: (readonly string[] | null | undefined)[] = [];
    const inner = {
      run: async (c: FlowContext) => {
        seen.push(c.documents);
        return signView('2000-01-01');
      },
    };
    const f = policyFlow(inner, { policies: P, walkUpPolicy: 'age-18', now: () => at });
    expect((await f.run(ctx({ policy: 'age-20', documents: ['license', 'passport', 'mynumber-jpki-auth'] }))).policy?.name).toBe('age-20');
    expect(seen[0]).toEqual(['license', 'passport']);
    expect((await f.run(ctx({}))).policy?.name).toBe('age-18');
    expect(seen[1]).toEqual(BUILT_IN_POLICIES.find((p) => p.name === 'age-18')!.documents);
    // A request by document ids only (no policy) is not put under the walk-up policy, keeps what the
    // document shows, and still records its legal-method entries.
    const plain = await f.run(ctx({ documents: ['mynumber-sign'] }));
    expect(plain.policy).toMatchObject({ name: null, age: null, legal: { entries: [{ id: 'mynumber-sign/mynumber-act' }, {}, {}, {}] } });
    expect(plain.holder?.dateOfBirth).toBe('2000-01-01');
    const none = policyFlow(inner, { policies: P, walkUpPolicy: null, now: () => at });
    expect((await none.run(ctx({}))).policy?.name).toBeNull();
    await expect(f.run(ctx({ policy: 'nope' }))).rejects.toMatchObject({ code: 'POLICY_UNKNOWN' });
  });
});

describe('policyFlow: every result passes the verdict gate', () => {
  const chipRead = (): ResultView => ({
    outcome: 'chip-read',
    authenticity: 'chip-read',
    holderBinding: 'pin',
    document: 'license',
    reasons: [],
    checks: { 'ef07-signature': 'no-key' },
  });
  const registry = policyRegistry([
    ...BUILT_IN_POLICIES,
    { name: 'license-lax', documents: ['license'], disclose: [], ageThreshold: null, acceptChipRead: true },
  ]);
  const flow = (result: () => ResultView, walkUpPolicy: string | null = null) =>
    policyFlow({ run: async () => result() }, { policies: registry, walkUpPolicy, now: () => at });

  it('without a policy: chip-read is refused (DOCUMENT_NOT_PROVEN), and so is a "verified" without proven authenticity', async () => {
    expect(await flow(chipRead).run(ctx({}))).toMatchObject({
      outcome: 'refused',
      reasons: ['DOCUMENT_NOT_PROVEN'],
      authenticity: 'chip-read',
      policy: { name: null },
    });
    const claimed = await flow(() => ({ ...chipRead(), outcome: 'verified', authenticity: undefined })).run(ctx({ documents: ['license'] }));
    expect(claimed).toMatchObject({ outcome: 'refused', reasons: ['DOCUMENT_NOT_PROVEN'] });
    expect(claimed.policy!.legal.entries.every((e) => e.status === 'not-satisfied')).toBe(true);
  });

  it('the built-in licence policy refuses chip-read; a policy with acceptChipRead keeps it as chip-read (never verified)', async () => {
    expect(await flow(chipRead).run(ctx({ policy: 'license' }))).toMatchObject({ outcome: 'refused', reasons: ['DOCUMENT_NOT_PROVEN'] });
    expect(await flow(chipRead).run(ctx({ policy: 'license-lax' }))).toMatchObject({ outcome: 'chip-read', reasons: [], policy: { name: 'license-lax' } });
    expect(await flow(chipRead, 'license-lax').run(ctx({}))).toMatchObject({ outcome: 'chip-read' });
  });

  it('an age policy refuses chip-read and gives no age answer', async () => {
    const v = await flow(() => attachBirthDate(chipRead(), '2000-01-01')).run(ctx({ policy: 'age-20' }));
    expect(v).toMatchObject({ outcome: 'refused', reasons: ['DOCUMENT_NOT_PROVEN'], policy: { age: { threshold: 20, over: null } } });
  });
});

describe('config and API parsing', () => {
  it('acceptChipRead: false by default, per policy, boolean only, never on an age policy', () => {
    const c = parsePolicyConfig({ license: { acceptChipRead: true }, 'kyc-lite': { documents: ['license', 'passport'] } }, undefined);
    expect(c.policies.find((p) => p.name === 'license')).toMatchObject({ documents: ['license'], acceptChipRead: true });
    expect(c.policies.find((p) => p.name === 'kyc-lite')!.acceptChipRead).toBe(false);
    expect(c.policies.filter((p) => p.name !== 'license').every((p) => p.acceptChipRead === false)).toBe(true);
    expect(() => parsePolicyConfig({ license: { acceptChipRead: 'yes' } }, undefined)).toThrow(/acceptChipRead.*true or false/);
    expect(() => parsePolicyConfig({ 'age-20': { acceptChipRead: true } }, undefined)).toThrow(/age policy cannot accept chip-read/);
    expect(() => parsePolicyConfig({ x: { documents: ['license'], ageThreshold: 18, acceptChipRead: true } }, undefined)).toThrow(
      /policies\.x\.acceptChipRead/,
    );
  });

  it('built-ins by default; redefine, add; age policies may not disclose personal data', () => {
    expect(parsePolicyConfig(undefined, undefined).policies.map((p) => p.name)).toEqual(BUILT_IN_POLICIES.map((p) => p.name));
    const c = parsePolicyConfig({ 'age-20': { documents: ['license', 'mynumber-sign'] }, 'age-16': { documents: ['passport'], ageThreshold: 16 } }, 'age-16');
    expect(c.policies.find((p) => p.name === 'age-20')).toMatchObject({ documents: ['license', 'mynumber-sign'], disclose: [], ageThreshold: 20 });
    expect(c.walkUpPolicy).toBe('age-16');
    expect(() => parsePolicyConfig({ 'age-20': { disclose: ['holder'] } }, undefined)).toThrow(/age policy/);
    expect(() => parsePolicyConfig({ x: { documents: ['license'], disclose: ['dateOfBirth'] } }, undefined)).toThrow(/disclose/);
    expect(() => parsePolicyConfig(undefined, 'nope')).toThrow(/walkUpPolicy/);
  });

  it('POST /v1/verifications accepts a policy name instead of document ids, not both', () => {
    expect(parseStart({ policy: 'age-20', nonce: 'n' })).toEqual({ documents: [], policy: 'age-20', nonce: 'n', audience: undefined });
    expect(parseStart({ policy: 'age-20', document: 'license' })).toMatch(/not both/);
    expect(parseStart({ policy: 'Age 20' })).toMatch(/policy/);
  });

  it('the session machine hands the request policy to the read', () => {
    let s = reduce(initialState(), { type: 'reader-service', available: true })[0];
    s = reduce(s, { type: 'request', request: { id: 'r1', documents: ['license'], policy: 'age-20' } })[0];
    const [, fx] = reduce(s, { type: 'card-inserted', reader: 'R' });
    expect(fx).toContainEqual({ type: 'start-read', session: 1, reader: 'R', documents: ['license'], policy: 'age-20' });
  });
});
