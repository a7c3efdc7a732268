// The logger's second guard: a secret handed to it by mistake (under a telling field name, or shaped like a
// My Number, an MRZ line, a private key or a token anywhere in the record) never reaches its output, while
// the codes, counts and facts the daemon logs pass unchanged. Shapes follow their public definitions: the
// 個人番号 is 12 digits (番号法 2条5項; printed 4-4-4 on the card), TD3 MRZ lines are 44 characters of A–Z,
// 0–9 and < (ICAO 9303-4), PEM per RFC 7468, JWS compact per RFC 7515.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { asLogger, consoleLogger, memoryLogger, type LogFields, type LogLevel } from '../../../core/log.ts';

/** Everything one record produced, as JSON lines and as text lines, without the timestamp. */
function emit(level: LogLevel, msg: string, fields?: LogFields): { json: Record<string, unknown>; line: string } {
  const out: string[] = [];
  const epoch = () => new Date(0);
  consoleLogger({ format: 'json', write: (l) => out.push(l), now: epoch, level: 'debug' })[level](msg, fields);
  consoleLogger({ write: (l) => out.push(l), now: epoch, level: 'debug', priorities: false })[level](msg, fields);
  const json = JSON.parse(out[0]!) as Record<string, unknown>;
  delete json.time;
  return { json, line: out[1]!.replace('1970-01-01T00:00:00.000Z ', '') };
}

const alnum = fc.stringMatching(/^[A-Za-z0-9]{6,16}$/);
const pin = fc.stringMatching(/^[0-9]{4,8}$/);
const camel = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
// Field names a careless caller might use for a secret, in the spellings people write.
const SECRET_WORDS = ['pin', 'password', 'passcode', 'secret', 'token', 'otp', 'mrz', 'puk', 'credential', 'myNumber', 'privateKey', 'apiKey', 'key'];
const secretName = fc
  .tuple(
    fc.constantFrom(...SECRET_WORDS),
    fc.constantFrom('', 'card', 'user', 'new', 'raw'),
    fc.constantFrom('', 'Value', 'Text', 'Hex'),
    fc.constantFrom('camel', 'snake', 'kebab', 'upper'),
  )
  .map(([w, pre, post, style]) => {
    const parts = [pre, w, post].filter(Boolean);
    if (style === 'camel') return parts.map((p, i) => (i === 0 ? p : camel(p))).join('');
    const flat = parts.map((p) => p.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());
    if (style === 'snake') return flat.join('_');
    if (style === 'kebab') return flat.join('-').replace(/_/g, '-');
    return flat.join('_').toUpperCase();
  });
const level = fc.constantFrom<LogLevel>('debug', 'info', 'warn', 'error');

const twelveDigits = fc.stringMatching(/^[0-9]{12}$/);
const grouped = (d: string, sep: string) => `${d.slice(0, 4)}${sep}${d.slice(4, 8)}${sep}${d.slice(8)}`;
const mrzLine = fc
  .tuple(fc.stringMatching(/^[A-Z]{2,12}$/), fc.stringMatching(/^[A-Z]{2,12}$/), fc.stringMatching(/^[A-Z0-9]{9}$/))
  .map(([sur, given, doc]) => [`P<JPN${sur}<<${given}`.padEnd(44, '<'), `${doc}<0JPN9001012F3001012<<<<<<<<<<<<<<06`.slice(0, 44)]);

describe('log redaction (second guard)', () => {
  it('property: a value under a secret-shaped field name never appears, whatever the level', () => {
    fc.assert(
      fc.property(secretName, fc.oneof(alnum, pin), level, (name, value, lvl) => {
        const { json, line } = emit(lvl, 'entry submitted', { [name]: value, attempts: 2 });
        expect(json[name]).toBe('[redacted]');
        expect(json.attempts).toBe(2);
        expect(line).toContain(`"${name}":"[redacted]"`);
        for (const [k, v] of Object.entries(json)) if (k !== name) expect(String(v)).not.toContain(value);
        expect(line.replace(`"${name}":"[redacted]"`, '')).not.toContain(`:"${value}"`);
      }),
      { numRuns: 300 },
    );
  });

  it('property: 12 digits (a 個人番号 as written, grouped or not) never appear, in the message or any field', () => {
    fc.assert(
      fc.property(
        twelveDigits,
        fc.constantFrom('', ' ', '-'),
        fc.string({ maxLength: 8 }),
        fc.constantFrom('msg', 'field', 'number'),
        (d, sep, around, where) => {
          const shown = grouped(d, sep);
          const text = ` ${around.replace(/[0-9A-Za-z]/g, '')} ${shown}. `;
          const { json, line } =
            where === 'msg'
              ? emit('info', `card read:${text}done`)
              : where === 'field'
                ? emit('warn', 'card read', { detail: text })
                : emit('info', 'card read', { value: Number(d) });
          if (where === 'number' && Number(d) < 1e11) return; // a leading 0 makes fewer than 12 digits as a number
          const all = JSON.stringify(json) + line;
          expect(all).not.toContain(shown);
          expect(all.replace(/[ -]/g, '')).not.toContain(d);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: MRZ lines never appear', () => {
    fc.assert(
      fc.property(mrzLine, ([l1, l2]) => {
        const { json, line } = emit('error', `MRZ parse failed: ${l1}\n${l2}`, { mrzText: `${l1}${l2}`, raw: l2 });
        const all = JSON.stringify(json) + line;
        for (const l of [l1, l2]) expect(all).not.toContain(l!);
      }),
      { numRuns: 100 },
    );
  });

  it('a PEM private key, a JWS and a bearer credential never appear', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const body = pem.split('\n')[1]!;
    const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJrIn0.MEUCIQDx3d2Vm';
    const { json, line } = emit('warn', `cannot load ${pem}`, { header: `Authorization: Bearer abc.def-123`, result: jws });
    const all = JSON.stringify(json) + line;
    for (const s of [body, jws, 'abc.def-123']) expect(all).not.toContain(s);
  });

  it('the facts the daemon logs pass unchanged', () => {
    const facts: [string, LogFields][] = [
      ['printer job failed', { job: 17, code: 'PRINTER_JOB_TIMEOUT', attempts: 3 }],
      ['keypad gpio lines', { rows: '5,6,13,19', rowPins: 4, keypad: 'onoff', keyId: 'a1' }],
      ['trust anchor [csca] 3f5a0c7de1b24a6b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b CN=Test CSCA, C=JP', {}],
      ['session 8c1f2e ended: verified', { durationMs: 1834, at: 1796659046594 }],
    ];
    for (const [msg, fields] of facts) {
      const { json } = emit('info', msg, fields);
      expect(json).toEqual({ level: 'info', msg, ...fields });
    }
  });

  it('levels, the journald priority prefix and plain line functions', () => {
    const out: string[] = [];
    const log = consoleLogger({ write: (l) => out.push(l), level: 'info', priorities: true, now: () => new Date(0) });
    log.debug('dropped');
    log('hello');
    log.warn('careful', { code: 'X' });
    expect(out).toEqual(['<6>1970-01-01T00:00:00.000Z idkiosk: hello', '<4>1970-01-01T00:00:00.000Z idkiosk: warn: careful {"code":"X"}']);
    const lines: string[] = [];
    asLogger((l) => void lines.push(l)).error('PIN check', { pin: '4321' });
    expect(lines).toEqual(['error: PIN check {"pin":"[redacted]"}']);
    const mem = memoryLogger();
    mem.info('x', { password: 'hunter2' });
    expect(mem.text()).not.toContain('hunter2');
  });

  it('there is one Logger type: none declared outside core/log.ts, none imported by drivers from daemon/', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const offenders: string[] = [];
    for (const f of ['core', 'daemon', 'drivers', 'fleet', 'provisioning'].flatMap(files)) {
      const text = readFileSync(join(root, f), 'utf8');
      if (f !== join('core', 'log.ts') && /^export (interface|type) \w*Logger\b/m.test(text)) offenders.push(`${f}: declares a Logger`);
      if (f.startsWith('drivers') && /from '[./]*daemon\/log/.test(text)) offenders.push(`${f}: imports daemon/ for logging`);
    }
    expect(offenders).toEqual([]);
  });
});
