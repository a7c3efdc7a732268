// CSCA master lists as published (test/conformance/gmrtd/master_list/, via gmrtd, MIT): the German list
// (BSI) and the Dutch list (NPKD) with the roots their signers chain to. Expected facts come from the data
// and from OpenSSL 3.0, not from the code under test: `openssl cms -verify` accepts the NL list under
// NL_ROOT_CA.cer, and `openssl cms -verify -noverify` + `openssl asn1parse` count 588 (DE) and 411 (NL)
// certificates in the lists' certList; the signers' extKeyUsage is 2.23.136.1.1.3 (ICAO 9303-12).
import { readFileSync, rmSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../daemon/cli/run.ts';
import { selectCscas, verifyMasterList, OID_MASTER_LIST_SIGNING_KEY } from '../../../daemon/documents/passport/pki/master-list.ts';
import { parseCertificates } from '../../../daemon/trust/trust-store.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { cmsSignedData } from '../../../drivers/sim/passport/lds.ts';
import { tlv } from '../../../drivers/sim/iso7816/ber-tlv.ts';
import { AT, certificateFile, LISTS } from './gmrtd-data.ts';

const work = mkdtempSync(join(tmpdir(), 'idkiosk-ml-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const [DE, NL] = LISTS;
const LISTED = { DE: 588, NL: 411 } as const;
/** Each list verified once (about a second each on a loaded machine). */
const verified = new Map<string, ReturnType<typeof verifyMasterList>>();
const verifiedList = (l: (typeof LISTS)[number]) => {
  if (!verified.has(l.country)) verified.set(l.country, verifyMasterList(readFileSync(l.list), [certificateFile(l.root)], AT));
  return verified.get(l.country)!;
};

describe('published CSCA master lists', () => {
  for (const l of LISTS) {
    it(`${l.country}: signature verifies, the signer chains to the root and is a master-list signer`, () => {
      const v = verifiedList(l);
      expect(v.certificates).toHaveLength(LISTED[l.country]);
      expect(v.root.raw.equals(certificateFile(l.root).raw)).toBe(true);
      expect(v.signer.keyUsage).toContain(OID_MASTER_LIST_SIGNING_KEY);
      expect(v.signer.subject).toMatch(l.country === 'DE' ? /CN=CSCA Master List Signer/ : /CN=Masterlist Signer NL/);
    });
  }

  it("refused under the other country's root (no path to it)", () => {
    expect(() => verifyMasterList(readFileSync(NL.list), [certificateFile(DE.root)], AT)).toThrow(expect.objectContaining({ code: 'TRUST_NO_ANCHOR' }));
    expect(() => verifyMasterList(readFileSync(DE.list), [certificateFile(NL.root)], AT)).toThrow(expect.objectContaining({ code: 'TRUST_NO_ANCHOR' }));
  });

  it('refused without a root, and refused when one byte of a listed certificate changes', () => {
    expect(() => verifyMasterList(readFileSync(NL.list), [], AT)).toThrow(expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD' }));
    const tampered = Buffer.from(readFileSync(NL.list));
    // A letter of a subject name in the middle of certList: every certificate still parses, only the
    // list's signature can notice.
    const at = tampered.indexOf('Kingdom', 300_000);
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'k'.charCodeAt(0);
    expect(() => verifyMasterList(tampered, [certificateFile(NL.root)], AT)).toThrow(
      expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD', message: expect.stringMatching(/does not verify/) }),
    );
  });

  it('refused when the signer has expired at the validation time', () => {
    // NL's signer certificate is valid until 2037-06-30 (its notAfter), DE's until 2028-10-17.
    expect(() => verifyMasterList(readFileSync(DE.list), [certificateFile(DE.root)], new Date('2028-10-18T00:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'TRUST_CERT_EXPIRED' }),
    );
  });

  it('selection: every taken CSCA is a CA valid at the time; every skip names a reason that holds', () => {
    for (const l of LISTS) {
      const certs = verifiedList(l).certificates;
      const { taken, skipped } = selectCscas(certs, AT);
      expect(taken.length + skipped.length).toBe(certs.length);
      for (const c of taken) {
        expect(c.ca).toBe(true);
        expect(Date.parse(c.validTo)).toBeGreaterThanOrEqual(AT.getTime());
      }
      for (const s of skipped) {
        const c = certs.find((x) => x.fingerprint256.replace(/:/g, '') === s.fingerprintSha256)!;
        if (s.reason === 'expired') expect(Date.parse(c.validTo)).toBeLessThan(AT.getTime());
        if (s.reason === 'not-a-ca') expect(c.ca).toBe(false);
      }
    }
  });

  it("DE skips the list's non-CA entries (Belgium Country Signing CA 03 has no basicConstraints)", () => {
    const { skipped } = selectCscas(verifiedList(DE).certificates, AT);
    expect(skipped.find((s) => /Belgium Country Signing CA 03/.test(s.subject))).toMatchObject({ reason: 'not-a-ca' });
  });
});

describe('idkiosk trust import-master-list', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), readStdin: async () => '' } };
  };

  it('writes the taken CSCAs as one PEM bundle and reports taken and skipped', async () => {
    const bundle = join(work, 'nl.pem');
    const c = io();
    expect(await runCli(['trust', 'import-master-list', NL.list, '--root', NL.root, '--out', bundle, '--at', AT.toISOString(), '--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.join(''));
    expect(report.listed).toBe(LISTED.NL);
    expect(report.taken.length + report.skipped.length).toBe(LISTED.NL);
    const written = parseCertificates(readFileSync(bundle), bundle);
    expect(written.map((x) => x.fingerprint256.replace(/:/g, ''))).toEqual(report.taken.map((t: { fingerprintSha256: string }) => t.fingerprintSha256));
  });

  it('a refused list writes nothing and leaves an existing bundle as it was', async () => {
    const bundle = join(work, 'keep.pem');
    writeFileSync(bundle, 'previous bundle');
    const c = io();
    expect(await runCli(['trust', 'import-master-list', NL.list, '--root', DE.root, '--out', bundle, '--at', AT.toISOString()], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/TRUST_NO_ANCHOR/);
    expect(readFileSync(bundle, 'utf8')).toBe('previous bundle');
    expect(existsSync(join(work, 'never.pem'))).toBe(false);
  });

  it('usage errors: missing --root, --out or a valid --at', async () => {
    expect(await runCli(['trust', 'import-master-list', NL.list, '--out', join(work, 'x.pem')], io().io)).toBe(2);
    expect(await runCli(['trust', 'import-master-list', NL.list, '--root', NL.root], io().io)).toBe(2);
    expect(await runCli(['trust', 'import-master-list', NL.list, '--root', NL.root, '--out', join(work, 'x.pem'), '--at', 'soon'], io().io)).toBe(2);
    expect(existsSync(join(work, 'x.pem'))).toBe(false);
  });
});

describe('a list signed by a certificate that is not a master-list signer', () => {
  it('is refused even though its signature and chain hold (synthetic CSCA, no extKeyUsage)', () => {
    const root = createCsca({ country: 'JP', cn: 'TEST CSCA' });
    const dscLike = issueBy(root, { cn: 'TEST Document Signer' });
    const csca2 = createCsca({ country: 'JP', cn: 'TEST CSCA 2' });
    const list = cmsSignedData('2.23.136.1.1.2', tlv(0x30, tlv(0x02, Buffer.from([0])), tlv(0x31, csca2.der)), dscLike);
    expect(() => verifyMasterList(list, [root.x509], new Date())).toThrow(
      expect.objectContaining({ code: 'TRUST_ANCHOR_LOAD', message: expect.stringMatching(/not a master-list signer/) }),
    );
  });
});
