// The `mynumber` config block: the My Number is off by default and only on with a recorded legal basis;
// the mode picks the handler behind document id 'mynumber'.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../daemon/config/config.ts';
import { myNumberPermission, parseMyNumberConfig } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { DOCUMENTS } from '../../../daemon/documents/registry.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';
import { noRevocationSource } from '../../../daemon/trust/revocation.ts';

describe('mynumber config', () => {
  it('defaults: authentication mode, My Number never allowed', () => {
    expect(parseConfig({}).mynumber).toEqual({ mode: 'auth', myNumberAllowed: false, legalBasis: null, testCards: false, cvCaKeys: [] });
    expect(myNumberPermission(parseConfig({}).mynumber)).toBeNull();
  });

  it('myNumberAllowed needs a legal basis, and a legal basis needs myNumberAllowed', () => {
    expect(() => parseMyNumberConfig({ myNumberAllowed: true })).toThrow(/legalBasis/);
    expect(() => parseMyNumberConfig({ legalBasis: '番号法第19条' })).toThrow(/only meaningful/);
    expect(() => parseMyNumberConfig({ myNumberAllowed: true, legalBasis: '  ' })).toThrow(/legal basis/);
    expect(() => parseMyNumberConfig({ mode: 'number' })).toThrow(/mode/);
    expect(() => parseMyNumberConfig({ allowMyNumber: true })).toThrow(/unknown setting/);
    const ok = parseMyNumberConfig({ mode: 'face', myNumberAllowed: true, legalBasis: '番号法第19条第x号（記録番号 42）' });
    expect(myNumberPermission(ok)).toEqual({ legalBasis: '番号法第19条第x号（記録番号 42）' });
  });

  it("document id 'mynumber' resolves to the handler of the configured mode; the concrete ids stay available", () => {
    const env = { trust: () => new TrustStore([]), revocation: noRevocationSource, now: () => new Date() };
    const ids = (['auth', 'info', 'sign', 'face'] as const).map((mode) => DOCUMENTS.get('mynumber')!({ ...env, mynumber: parseMyNumberConfig({ mode }) }).id);
    expect(ids).toEqual(['mynumber-jpki-auth', 'mynumber-info', 'mynumber-sign', 'mynumber-face']);
    for (const id of ['mynumber-jpki-auth', 'mynumber-info', 'mynumber-sign', 'mynumber-face']) expect(DOCUMENTS.get(id)!(env).id).toBe(id);
  });
});
