// BoringSSL's verify_certificate_chain cases (test/conformance/bssl-chain/, Apache-2.0, see NOTICE.md)
// against the kiosk's path validator (daemon/trust/chain.ts). Each `.test` file names a chain (target
// first, trust anchor last), the trust given to the last certificate, a time and BoringSSL's expected
// errors; a case is expected to validate exactly when it lists no ERROR line. The kiosk must never accept
// a chain BoringSSL rejects. The trust given to the anchor maps to the validator's AnchorRules (RFC 5280
// §6.1.1 (d) name + key, RFC 5937 constraints, expiration), so every anchor case runs as BoringSSL runs it.
// Cases the validator's API cannot express are out of scope, with the reason; cases where a rule the kiosk
// profile requires (issue 15) is stricter than the suite are counted apart and must still be refused.
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_ONLY_ANCHOR, validateChain, type AnchorRules, type ChainResult } from '../../../daemon/trust/chain.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { parseExtensions } from '../../../daemon/trust/x509-extensions.ts';

const DIR = join(import.meta.dirname, '../../conformance/bssl-chain');

interface Case {
  id: string;
  chain: X509Certificate[];
  trust: string;
  at: Date;
  keyPurpose: string;
  errors: string[];
  settings: string[];
}

/** UTCTime YYMMDDHHMMSSZ as BoringSSL's runner reads it; DEFAULT is its 2021-10-05 12:00 UTC. */
function utcTime(v: string): Date {
  const s = v === 'DEFAULT' ? '211005120000Z' : v;
  const yy = Number(s.slice(0, 2));
  return new Date(`${yy >= 50 ? 19 : 20}${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}T${s.slice(6, 8)}:${s.slice(8, 10)}:${s.slice(10, 12)}Z`);
}

function readCase(dir: string, file: string): Case {
  const text = readFileSync(join(DIR, dir, file), 'utf8');
  const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(text)?.[1]?.trim();
  const pem = readFileSync(join(DIR, dir, field('chain')!), 'utf8');
  const chain = [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
  const errors = text
    .split('\n')
    .filter((l) => l.startsWith('ERROR:'))
    .map((l) => l.slice(7));
  const settings = ['digest_policy', 'user_initial_policy_set', 'initial_explicit_policy', 'initial_policy_mapping_inhibit', 'initial_inhibit_any_policy']
    .filter((k) => field(k) !== undefined)
    .map((k) => `${k}: ${field(k)}`);
  return {
    id: `${dir}/${file}`,
    chain,
    trust: field('last_cert_trust')!,
    at: utcTime(field('utc_time')!),
    keyPurpose: field('key_purpose')!,
    errors,
    settings,
  };
}

const cases: Case[] = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(DIR, d.name))
      .filter((f) => f.endsWith('.test'))
      .map((f) => readCase(d.name, f)),
  )
  .sort((a, b) => (a.id < b.id ? -1 : 1));

/**
 * Cases the kiosk's validator cannot express, and why. The validator has no extended-key-usage check (no
 * kiosk document profile constrains EKU; the key usage bits are checked per document), no initial policy
 * set or explicit-policy inputs (one required leaf OID per document), no TLS-server key-usage profile,
 * and no trusted-leaf or distrust mode (only configured CA anchors).
 */
const OUT_OF_SCOPE: Record<string, string> = {};
/**
 * The policy cases. Certificate policies and policyConstraints are processed (RFC 5280 §6.1.3–6.1.5, and an
 * anchor's under RFC 5937 constraints); policyMappings and inhibitAnyPolicy are not: no kiosk document
 * profile uses them, and a certificate carrying them is refused, so the cases whose chain carries either
 * fail closed and are measured but not counted in scope.
 */
const POLICY_PROCESSING = /^(policies-|policy-mappings-)/;
const UNPROCESSED_POLICY_EXTENSIONS = ['2.5.29.33', '2.5.29.54'];
const carriesUnprocessedPolicy = (c: Case) => c.chain.some((x) => UNPROCESSED_POLICY_EXTENSIONS.some((oid) => parseExtensions(x.raw).raw.has(oid)));
/** Name constraints are not processed; a CA carrying them is refused (fail closed). */
const NAME_CONSTRAINTS = /^many-names\//;

/**
 * Cases BoringSSL accepts that contradict a rule the kiosk profile requires (issue 15): out of scope for the
 * pass rate as a category ("profile rule stricter than the suite"), and asserted refused.
 */
const PROFILE_RULES: Record<string, string> = {
  // SHA-1 only where a document profile needs it (the passport's); these run without that allowance.
  'intermediate-eku-server-gated-crypto/sha1-eku-any.test': 'SHA-1 signature',
  'issuer-and-subject-not-byte-for-byte-equal/target.test': 'SHA-1 signature',
  // RSA keys of at least 2048 bits.
  'issuer-and-subject-not-byte-for-byte-equal/anchor.test': '1024-bit RSA key',
  // No CA certificate as the document's own certificate.
  'target-has-ca-basic-constraints/main.test': 'CA certificate as leaf',
  'target-not-end-entity/main.test': 'CA certificate as leaf',
  // RFC 5280 §4.2.1.3: keyCertSign without cA is mis-issued (x509-limbo rfc5280::leaf-ku-keycertsign rejects it).
  'target-has-keycertsign-but-not-ca/main.test': 'end entity asserts keyCertSign',
};

/**
 * Cases where BoringSSL departs from RFC 5280 on purpose; the kiosk follows the RFC, so they are out of
 * scope and asserted refused. BoringSSL treats a critical Microsoft application-policies extension
 * (1.3.6.1.4.1.311.21.10, written by Windows CAs) as understood when the certificate also has an EKU
 * (its `-no-eku` twin is rejected); RFC 5280 §4.2 says a certificate with an unrecognised critical
 * extension MUST be rejected.
 */
const RFC_DEPARTURES: Record<string, string> = {
  'target-msapplicationpolicies-and-eku/main.test': 'critical Microsoft application policies accepted by BoringSSL, unknown to RFC 5280',
};

/**
 * BoringSSL's trust modes (pki/trust_store.h) as AnchorRules: TRUSTED_ANCHOR takes the anchor as a name and
 * a key (RFC 5280 §6.1.1 (d)); _WITH_CONSTRAINTS applies its basicConstraints and keyUsage (RFC 5937);
 * _REQUIRE_BASIC_CONSTRAINTS refuses an anchor without basicConstraints when constraints apply;
 * _WITH_EXPIRATION checks its validity.
 */
function anchorRules(trust: string): AnchorRules {
  const constraints = trust.includes('CONSTRAINTS') && !/^TRUSTED_ANCHOR_WITH_REQUIRE_BASIC_CONSTRAINTS$/.test(trust);
  return {
    ...KEY_ONLY_ANCHOR,
    constraints,
    requireBasicConstraints: constraints && trust.includes('REQUIRE_BASIC_CONSTRAINTS'),
    validity: trust.includes('EXPIRATION') ? 'checked' : 'ignored',
  };
}

function run(c: Case): ChainResult {
  const anchor = c.chain[c.chain.length - 1]!;
  return validateChain(c.chain[0]!, new TrustStore([anchor]), { at: c.at, leafKeyUsage: [], maxDepth: 8, anchor: anchorRules(c.trust) }, c.chain.slice(1, -1));
}

function scopeOf(c: Case): string | null {
  if (OUT_OF_SCOPE[c.id]) return OUT_OF_SCOPE[c.id]!;
  if (PROFILE_RULES[c.id]) return `profile rule stricter than the suite, required by the kiosk profile: ${PROFILE_RULES[c.id]}`;
  if (RFC_DEPARTURES[c.id]) return `the suite departs from RFC 5280: ${RFC_DEPARTURES[c.id]}`;
  if (/MLS|C2PA/.test(c.keyPurpose)) return `key purpose ${c.keyPurpose} is not a kiosk profile`;
  if (!c.trust.startsWith('TRUSTED_ANCHOR') || c.trust === 'TRUSTED_ANCHOR_OR_LEAF')
    return `last certificate trusted as ${c.trust}: the kiosk trusts configured CA anchors only`;
  if (c.settings.some((s) => !s.startsWith('digest_policy'))) return `validator has no input for ${c.settings.join(', ')}`;
  if (c.errors.some((e) => /extended key usage|EKU/i.test(e))) return 'extended key usage is not part of the kiosk profiles';
  if (POLICY_PROCESSING.test(c.id) && carriesUnprocessedPolicy(c)) return 'policy mappings / inhibitAnyPolicy not processed (such certificates are refused)';
  if (NAME_CONSTRAINTS.test(c.id)) return 'name constraints not processed (a CA carrying them is refused)';
  return null;
}

const inScope = cases.filter((c) => scopeOf(c) === null);

describe('BoringSSL verify_certificate_chain cases against validateChain', () => {
  it('reads every case of the suite', () => expect(cases.length).toBeGreaterThan(0));

  it.skipIf(!process.env.CONFORMANCE_DUMP)('dump', () => {
    let pass = 0;
    for (const c of cases) {
      const scope = scopeOf(c);
      const r = run(c);
      const want = c.errors.length === 0;
      if (scope === null && r.valid === want) pass++;
      console.log(
        `${scope === null ? (r.valid === want ? 'PASS' : want ? 'STRICT' : 'ACCEPTED!') : 'OOS'} ${c.id} trust=${c.trust} want=${want} got=${r.valid ? 'valid' : r.code + ' ' + r.message} exp=${c.errors.join(' | ')} ${scope ?? ''}`,
      );
    }
    console.log(`in scope ${inScope.length}, pass ${pass}`);
  });

  for (const c of inScope) {
    const want = c.errors.length === 0;
    it(`${c.id}: ${want ? 'valid' : c.errors[0]}`, () => {
      const r = run(c);
      expect(r.valid, r.valid ? 'valid' : `${r.code}: ${r.message}`).toBe(want);
    });
  }

  it('has the in-scope count and pass count docs/verdicts.md reports', () => {
    expect(inScope.length).toBe(101);
    expect(inScope.filter((c) => run(c).valid === (c.errors.length === 0)).length).toBe(101);
  });

  it.each(Object.entries({ ...PROFILE_RULES, ...RFC_DEPARTURES }))('refuses %s although BoringSSL accepts it (%s)', (id) => {
    const c = cases.find((x) => x.id === id)!;
    expect(c.errors).toEqual([]);
    expect(run(c).valid).toBe(false);
  });

  it('never accepts a chain BoringSSL rejects (zero accepted rejections)', () => {
    expect(inScope.filter((c) => c.errors.length > 0 && run(c).valid).map((c) => c.id)).toEqual([]);
  });

  it('refuses every policy-processing and name-constraints case BoringSSL rejects (fail closed where not implemented)', () => {
    const failClosed = cases.filter(
      (c) => c.trust.startsWith('TRUSTED_ANCHOR') && ((POLICY_PROCESSING.test(c.id) && carriesUnprocessedPolicy(c)) || NAME_CONSTRAINTS.test(c.id)),
    );
    expect(failClosed.length).toBe(15);
    expect(failClosed.filter((c) => c.errors.length > 0 && run(c).valid).map((c) => c.id)).toEqual([]);
    // Accepted, and BoringSSL accepts each: under TRUSTED_ANCHOR the anchor is a name and a key (RFC 5280
    // §6.1.1 (d)), so the mappings or inhibitAnyPolicy only the anchor carries are not path input.
    const accepted = failClosed.filter((c) => run(c).valid);
    expect(accepted.filter((c) => c.errors.length > 0)).toEqual([]);
    expect(accepted.map((c) => c.id)).toEqual([
      'policies-inhibit-anypolicy-by-root-fail/main.test',
      'policies-inhibit-anypolicy-by-root-ok/main.test',
      'policies-on-root-ok/main.test',
      'policy-mappings-on-root-fail/main.test',
      'policy-mappings-on-root-ok/main.test',
    ]);
  });
});
