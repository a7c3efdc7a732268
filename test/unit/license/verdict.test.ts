// The licence verdict on hand-made evidence: a parse error in EF03–EF06 is a check entry that keeps the rest
// of the read; an undetermined or undecodable current name/address refuses the read and never reaches the
// screen; the holder binding says who proved what. Bytes are hand-written from docs/reference/license.md §6–§8.
import { describe, expect, it } from 'vitest';
import { toResultView } from '../../../daemon/documents/license/license-flow.ts';
import type { LicenseEvidence, LicenseFiles } from '../../../daemon/documents/license/license-read.ts';
import { assessLicense } from '../../../daemon/documents/license/license-verdict.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

// 11 edition byte; 12 氏名 見本 (382B 4B5C); 17 住所 新新 (3F37 3F37); 18 交付 5060401; 1B 末日 5100401;
// 21 番号 "990000000001".
const MATTERS = (name = '382B4B5C') =>
  hex(
    `11 01 01 12 ${(name.length / 2).toString(16).padStart(2, '0')} ${name} 17 04 3F373F37 18 07 35303630343031 1B 07 35313030343031 21 0C 393930303030303030303031 FF`,
  );
const KOUAN = '3878 3042 3051 3077 3271';
const ADDRESS_RECORD = `53 23 01 2335 2330 2337 2330 2334 2330 2331 3223 494D 3B54 4366 3668 ${KOUAN}`; // 横浜市中区

function evidence(files: Partial<LicenseFiles>, pinSetting: 'holder-set' | 'default' = 'holder-set'): LicenseEvidence {
  return {
    common: { specVersion: '008', issueDate: '2024-04-01', expiryDate: '2028-04-01', manufacturerId: 1, cryptoFunctionId: 1 },
    pinSetting,
    pin1TriesBefore: 3,
    pin2TriesBefore: null,
    files: {
      matters: MATTERS(),
      gaiji: null,
      changes: hex('50 01 00 FF'),
      changedGaiji: null,
      signature: null,
      honseki: null,
      honsekiChanges: null,
      photo: null,
      ...files,
    },
  };
}

const assess = (ev: LicenseEvidence) => assessLicense(ev, { at: new Date('2026-01-01T00:00:00Z'), trust: new TrustStore([]), photoConverter: null });

describe('licence verdict on hand-made evidence', () => {
  it('a well-formed read without a key: chip-read, binding pin, the EF04 address current and shown', async () => {
    const r = await assess(evidence({ changes: hex(`50 01 01 ${ADDRESS_RECORD} FF`) }));
    expect(r).toMatchObject({
      verdict: 'chip-read',
      authenticity: 'chip-read',
      holderBinding: 'pin',
      checks: { 'change-records': '1 applied', 'ef07-signature': 'not-read' },
    });
    const view = toResultView(r, 'name-address');
    expect(view).toMatchObject({ outcome: 'chip-read', authenticity: 'chip-read', holderBinding: 'pin' });
    expect(view.licenseHolder?.address).toEqual([{ text: '横浜市中区' }]);
  });

  it('no PIN set: the binding is none (the kiosk sent the default PIN itself)', async () => {
    const r = await assess(evidence({}, 'default'));
    expect(r).toMatchObject({ holderBinding: 'none', checks: { 'holder-binding': 'no-pin-set-default-sent-by-kiosk' } });
  });

  it('EF04 whose TLV structure is broken: reported, the rest kept, the current address undetermined → refused, nothing shown', async () => {
    const r = await assess(evidence({ changes: hex('50 01 01 53 7F 01 23'), gaiji: hex('48 05 00') }));
    expect(r.verdict).toBe('refused');
    expect(r.reasons.map((x) => x.code)).toEqual(['LICENSE_DATA_INCONSISTENT', 'LICENSE_DATA_INCONSISTENT']);
    expect(r.fileErrors.map((e) => e.file)).toEqual(['DF1/EF04', 'DF1/EF03']);
    expect(r.checks).toMatchObject({ 'change-records': 'malformed-file', 'parse DF1/EF04': 'malformed', 'parse DF1/EF03': 'malformed' });
    expect(r.current?.address).toMatchObject({ status: 'undetermined', value: null });
    // The rest of the read is still there.
    expect(r.matters?.fields.licenseNumber).toEqual({ kind: 'jis0201', value: '990000000001' });
    expect(r.signature.status).toBe('not-read');
    expect(toResultView(r, 'name-address').licenseHolder).toBeUndefined();
  });

  it('a photo TLV that runs past its end is a check entry, not an exception', async () => {
    const r = await assess(evidence({ photo: hex('5F 40 05 FF 4F') }));
    expect(r.checks['parse DF2/EF01']).toBe('malformed');
    expect(r.photo).toBeNull();
    expect(r.verdict).toBe('chip-read');
  });

  it('EF04 not readable at all: the current name and address are undetermined → refused (a move may be hidden)', async () => {
    const r = await assess(evidence({ changes: null }));
    expect(r).toMatchObject({ verdict: 'refused', checks: { 'change-records': 'not-read' }, current: { address: { status: 'undetermined' } } });
    expect(r.reasons.map((x) => x.message).join()).toMatch(/DF1\/EF04 \(change records\) could not be read/);
  });

  it('a change record under a tag outside the (unverified) kind table: no current name or address is asserted', async () => {
    const r = await assess(evidence({ changes: hex(`50 01 01 ${ADDRESS_RECORD.replace(/^53/, '5E')} FF`) }));
    expect(r.changes[0]!.kind).toBe('unknown');
    expect(r.current).toMatchObject({ name: { status: 'undetermined' }, address: { status: 'undetermined' } });
    expect(r.verdict).toBe('refused');
  });

  it('an undecodable name (bytes outside JIS X 0208) is never shown as the current name, and refuses the read', async () => {
    const r = await assess(evidence({ matters: MATTERS('382B8080') }));
    expect(r.current?.name.value).toMatchObject({ invalid: true });
    expect(r.checks['holder-text']).toBe('undecodable');
    expect(r.verdict).toBe('refused');
    expect(r.reasons.map((x) => x.message).join()).toMatch(/name .*undecodable/);
    const view = toResultView(r, 'name-address-photo');
    expect(view.licenseHolder).toBeUndefined();
    expect(JSON.stringify(view)).not.toContain('見本');
  });

  it('a malformed 備考 record leaves name and address determined; it is listed, the read stands', async () => {
    const r = await assess(evidence({ changes: hex(`50 01 01 56 03 01 2335 ${ADDRESS_RECORD} FF`) }));
    expect(r.changeProblems).toEqual([{ file: 'EF04', tag: 0x56, kind: 'remark', offset: 3, reason: expect.stringMatching(/shorter/) }]);
    expect(r.verdict).toBe('chip-read');
    expect(r.current?.address.value?.plain).toBe('横浜市中区');
  });
});
