// The configuration schema under random input: a bad value anywhere is refused with CONFIG_INVALID naming
// exactly the field that was spoiled, and no input whatever makes parsing throw anything else. The field
// paths come from README.md and docs/operations.md; the ranges are those the hand-written validators
// enforced before the schema replaced them (6ba1b8a), written down here, not read from the schema.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConfig } from '../../../daemon/config/config.ts';
import { myNumberPermission } from '../../../daemon/documents/mynumber/mynumber-config.ts';
import { isKioskError } from '../../../core/errors.ts';
import { parseFleetConfig } from '../../../fleet/config.ts';

/** Put `value` at `path` ('printer.serial.baudRate') in an otherwise empty configuration. */
function at(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const root: Record<string, unknown> = {};
  let o = root;
  keys.slice(0, -1).forEach((k) => {
    o = o[k] = {} as Record<string, unknown>;
  });
  o[keys.at(-1)!] = value;
  return root;
}

function refusal(raw: unknown): { field: unknown; message: string } | 'accepted' {
  try {
    parseConfig(raw);
    return 'accepted';
  } catch (e) {
    if (!isKioskError(e, 'CONFIG_INVALID')) throw e;
    return { field: e.detail.field, message: e.message };
  }
}

/** Anything that is not an integer: strings, booleans, null, fractions, lists, objects. */
const notInteger = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noInteger: true }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);
const outside = (min: number, max: number) => fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), notInteger);

// Integer settings and their ranges.
const RANGES: [string, number, number][] = [
  ['server.port', 0, 65535],
  ['reader.cardTimeoutMs', 1000, 120_000],
  ['revocation.graceSeconds', 0, 30 * 86400],
  ['timeouts.entryMs', 1000, 600_000],
  ['timeouts.requestMs', 1000, 3_600_000],
  ['audit.retentionDays', 1, 3650],
  ['audit.upload.batchSize', 1, 5000],
  ['health.minFreeMb', 0, 1_000_000],
  ['fleet.intervalSeconds', 5, 86400],
  ['keypad.multitapMs', 300, 5000],
  ['printer.serial.baudRate', 1200, 921_600],
  ['printer.maxAttempts', 1, 10],
  ['api.tokenTtlSeconds', 10, 86400],
];

// Settings with a fixed list of values.
const CHOICES: [string, unknown[]][] = [
  ['reader.backend', ['pcsc', 'simulated', null]],
  ['reader.extendedApdu', ['auto', 'never', 'always']],
  ['printer.columns', [32, 42, 48]],
  ['printer.serial.parity', ['none', 'even', 'odd']],
  ['keypad.pad', ['4x3', '4x4']],
  ['receipt.nameMask', ['omit', 'initials', 'family', 'full']],
  ['mynumber.mode', ['auth', 'info', 'sign', 'face']],
];

const BLOCKS = [
  'server',
  'reader',
  'trust',
  'revocation',
  'timeouts',
  'mynumber',
  'device',
  'audit',
  'health',
  'fleet',
  'keypad',
  'printer',
  'receipt',
  'api',
  'passport',
];

describe('configuration schema', () => {
  it('property: an integer outside its range is refused naming that field', () => {
    for (const [path, min, max] of RANGES) {
      fc.assert(
        fc.property(outside(min, max), (v) => {
          const r = refusal(at(path, v));
          expect(r, `${path} = ${JSON.stringify(v)}`).not.toBe('accepted');
          expect(r).toMatchObject({ field: path, message: expect.stringContaining(`config ${path}: must be an integer from ${min} to ${max}`) });
        }),
        { numRuns: 25 },
      );
      // and both ends of the range are accepted
      expect(refusal(at(path, min))).toBe('accepted');
      expect(refusal(at(path, max))).toBe('accepted');
    }
  });

  it('property: a value outside a fixed list is refused naming that field', () => {
    for (const [path, values] of CHOICES) {
      const bad = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([])).filter((v) => !values.includes(v));
      fc.assert(
        fc.property(bad, (v) => {
          expect(refusal(at(path, v))).toMatchObject({ field: path, message: expect.stringContaining('must be one of') });
        }),
        { numRuns: 40 },
      );
      for (const v of values) expect(refusal(at(path, v)), `${path} = ${JSON.stringify(v)}`).toBe('accepted');
    }
  });

  it('property: an unknown setting in any block is refused by its own name', () => {
    const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
    fc.assert(
      fc.property(fc.constantFrom(...BLOCKS), name, fc.jsonValue(), (blockName, key, value) => {
        const known = refusal({ [blockName]: {} });
        expect(known).toBe('accepted');
        const r = refusal({ [blockName]: { [key]: value } });
        if (r === 'accepted') return; // a real setting with a good value
        // either the key is unknown (named), or it is a real setting and its value is refused (named too)
        expect(r.field).toBe(`${blockName}.${key}`);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any JSON whatever is accepted or refused with CONFIG_INVALID, never another failure', () => {
    const block = fc.constantFrom(...BLOCKS, 'documents', 'kioskId', 'policies', 'walkUpPolicy', 'site');
    const anyConfig = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(block, fc.jsonValue()),
      fc.dictionary(block, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }))),
      fc.anything(),
    );
    fc.assert(
      fc.property(anyConfig, (raw) => {
        const r = refusal(raw);
        if (r !== 'accepted') {
          expect(typeof r.field).toBe('string');
          expect(r.message.startsWith(`config ${String(r.field)}: `)).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('property: the 個人番号 is permitted only with a recorded legal basis, whatever else the block holds', () => {
    const mynumber = fc.record(
      {
        mode: fc.constantFrom('auth', 'info', 'sign', 'face'),
        myNumberAllowed: fc.boolean(),
        legalBasis: fc.option(fc.string(), { nil: null }),
        testCards: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(mynumber, (m) => {
        let cfg: ReturnType<typeof parseConfig> | undefined;
        try {
          cfg = parseConfig({ mynumber: m });
        } catch (e) {
          expect(isKioskError(e, 'CONFIG_INVALID')).toBe(true);
          return;
        }
        const permission = myNumberPermission(cfg.mynumber);
        expect(permission !== null).toBe(m.myNumberAllowed === true);
        if (permission) expect(permission.legalBasis).toBe(m.legalBasis);
        if (m.myNumberAllowed !== true) expect(cfg.mynumber.legalBasis).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('names fields inside lists by index, and counts the other wrong fields', () => {
    expect(
      refusal({
        passport: {
          cscaCountryExceptions: [
            { issuingState: 'RKS', cscaCountry: 'XK' },
            { issuingState: 'RKS', cscaCountry: 'x' },
          ],
        },
      }),
    ).toMatchObject({
      field: 'passport.cscaCountryExceptions[1].cscaCountry',
    });
    expect(refusal({ server: { port: -1 }, printer: { columns: 40 } })).toMatchObject({
      field: 'server.port',
      message: expect.stringMatching(/\(and 1 more field\)$/),
    });
    expect(refusal({ bogus: 1 })).toMatchObject({ field: 'bogus', message: expect.stringContaining('unknown setting') });
  });

  it("the fleet collector's file is read by the same kit: defaults filled in, a bad field named", () => {
    // docs/fleet.md: database, listen, tls, ca and crlFile are written by `fleet init`; perKioskPerMinute is 60 per instance
    const good = {
      database: 'postgres:///fleet',
      listen: { host: '0.0.0.0', port: 8443 },
      tls: { certFile: 't.pem', keyFile: 't.key' },
      ca: { certFile: 'ca.pem', keyFile: null },
      crlFile: '/var/lib/fleet/crl.der',
    };
    expect(parseFleetConfig(good)).toMatchObject({ metricsListen: null, limits: { perKioskPerMinute: 60 }, crlDays: 7 });
    expect(() => parseFleetConfig({ ...good, limits: { perKioskPerMinute: 0 } })).toThrow(
      /^fleet config limits\.perKioskPerMinute: must be an integer from 1 to 1000000$/,
    );
    expect(() => parseFleetConfig({ ...good, ca: { certFile: 'ca.pem' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', detail: expect.objectContaining({ field: 'ca.keyFile' }) }),
    );
  });
});
