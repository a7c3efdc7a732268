// The whole daemon (startKiosk: simulated reader, UI WebSocket, integration API, memory printer, audit
// trail with personal-data sealing ON) runs age-20 sessions with every document type that yields a birth
// date. The holder's birth date, in every form it could take, appears in no WebSocket frame, no receipt
// byte, no log line, no audit row and no signed API result; the age answer does.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LicenseCard, createLicenseSigningKey, syntheticHolder } from '../../../drivers/sim/license/index.ts';
import { PassportCard, testHolder } from '../../../drivers/sim/passport/index.ts';
import { createCsca, issueBy } from '../../../drivers/sim/passport/certs.ts';
import { SYNTHETIC_HOLDER, virtualCardTrustConfig } from '../../../drivers/sim/mynumber/index.ts';
import type { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../../drivers/sim/virtual-card.ts';
import { startKiosk, type Kiosk } from '../../../daemon/app.ts';
import { parseConfig } from '../../../daemon/config/config.ts';
import { verifyResultToken } from '../../../daemon/api/result-token.ts';
import { revocationGood, waitUntil } from '../../harness/jpki.ts';
import { cas, fullCard } from '../../unit/mynumber/helpers.ts';
import { residenceCard, testCa } from '../../unit/residence/helpers.ts';

// A synthetic holder aged 26 at any date this test runs in 2026–2030 (over 20: yes).
const ISO = '2000-07-13';
const FORMS = [ISO, '20000713', '000713', '2000/07/13', '平成12年7月13日', '12.07.13'];

const SECRETS: Record<string, string> = {
  'jpki-sign-password': 'ABC123XYZ',
  'mynumber-text-pin': '2580',
  'license-pin1': '1234',
  'license-pin2': '5678',
  'residence-card-number': 'AA12345678BB',
  'passport-document-number': 'TZ7654321',
  'passport-birth-date': '000713',
  'passport-expiry-date': '341231',
};

let dir: string;
let kiosk: Kiosk;
const frames: string[] = [];
const logs: string[] = [];
let ws: WebSocket;
let ended = 0;
const csca = createCsca({ country: 'JP' });
// The licence's EF07 key is configured, so the licence is proven (an unproven licence answers no age).
const licenseKey = createLicenseSigningKey();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-age-leak-'));
  const pem = (name: string, x: { toString(): string }) => {
    const f = join(dir, name);
    writeFileSync(f, x.toString());
    return f;
  };
  const op = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(join(dir, 'operator.pem'), op.publicKey.export({ type: 'spki', format: 'pem' }));
  const cfg = parseConfig({
    kioskId: 'kiosk-age',
    server: { port: 0 },
    reader: { backend: 'simulated' },
    documents: ['mynumber-sign', 'mynumber-info', 'license', 'residence', 'passport'],
    trust: {
      jpkiSign: [pem('sign-ca.pem', cas().signCa.x509)],
      residence: [pem('res-ca.pem', testCa(2).x509)],
      csca: [pem('csca.pem', csca.x509)],
      license: [pem('license-key.pem', licenseKey.x509)],
    },
    audit: { db: join(dir, 'audit.db'), personalData: true, operatorKey: join(dir, 'operator.pem') },
    health: { port: 0, diskPath: dir },
    api: { enabled: true, port: 0 },
    printer: { transport: 'memory' },
    walkUpPolicy: 'age-20',
    // A deployment-defined policy: age 20 from the 4 basic info only.
    policies: { 'age-20-4info': { documents: ['mynumber-info'], ageThreshold: 20 } },
    // The virtual My Number card's 券面 data is signed under this process's synthetic test-hierarchy CV CA keys.
    mynumber: virtualCardTrustConfig(),
  });
  kiosk = await startKiosk({ config: cfg, simulated: true, revocation: revocationGood, log: (l) => logs.push(l) });
  kiosk.runtime.events.on('session-ended', () => ended++);
  // Types the secret the moment the kiosk asks for one, as a holder on the keypad would.
  // A form of printed numbers (issue 19) moves from field to field within secret-entry, then to its review.
  let prev = '';
  kiosk.runtime.events.on('state', (s) => {
    const at = s.phase === 'secret-entry' && s.entry ? `${s.session}:${s.entry.purpose}:${s.entry.form?.index ?? ''}:${s.entry.form?.review ?? ''}` : '';
    if (at && at !== prev && s.entry) {
      const secret = s.entry.form?.review ? '' : SECRETS[s.entry.purpose]!;
      setImmediate(() => {
        for (const ch of secret) kiosk.runtime.key(ch);
        kiosk.runtime.key('enter');
      });
    }
    prev = at;
  });
  ws = new WebSocket(`ws://127.0.0.1:${kiosk.server.port}/ws?token=${encodeURIComponent(kiosk.server.token)}`);
  ws.on('message', (d) => frames.push(d.toString()));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
}, 30_000);

afterAll(async () => {
  ws?.close();
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const reader = () => kiosk.reader as SimulatedReaderDriver;

async function session(card: VirtualCard) {
  const before = ended;
  const printed = kiosk.peripherals.virtualPrinter!.receipts.length;
  reader().insert(card);
  await waitUntil(() => ended === before + 1, 20_000, 'session end');
  await waitUntil(() => kiosk.peripherals.virtualPrinter!.receipts.length === printed + 1, 10_000, 'receipt');
  const result = kiosk.runtime.getState().result!;
  reader().remove();
  await waitUntil(() => kiosk.runtime.getState().phase === 'idle' || kiosk.runtime.getState().phase === 'result', 5000, 'idle');
  kiosk.runtime.cancel();
  await waitUntil(() => kiosk.runtime.getState().phase === 'idle', 5000, 'idle after result');
  return result;
}

describe('age-20 through the whole daemon', () => {
  it('every document answers "20 or older: yes" and the birth date is nowhere outside the daemon', async () => {
    const cards: [string, () => VirtualCard][] = [
      ['mynumber-sign', () => fullCard({ holder: { ...SYNTHETIC_HOLDER, dateOfBirth: '20000713' } }).card],
      ['license', () => new LicenseCard({ holder: { ...syntheticHolder(), birthDate: ISO }, pins: { pin1: '1234', pin2: '5678' }, signingKey: licenseKey })],
      ['residence', () => residenceCard({ generation: 2, printed: { dateOfBirth: '20000713' } }).card],
      [
        'passport',
        () =>
          new PassportCard({
            holder: testHolder({ documentNumber: 'TZ7654321', dateOfBirth: '000713', dateOfExpiry: '341231' }),
            pki: { csca, dsc: issueBy(csca, { cn: 'DS' }) },
            faceBytes: 500,
          }),
      ],
    ];
    for (const [doc, make] of cards) {
      const r = await session(make());
      expect(r.document).toBe(doc);
      expect(r.outcome).toBe('verified');
      expect(r.policy).toMatchObject({ name: 'age-20', age: { threshold: 20, over: true } });
    }

    // The integration API, by policy name, on the 4-info route: a signed result with the age answer only.
    const api = kiosk.api!;
    const started = await fetch(`${api.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy: 'age-20', nonce: 'n-1' }),
    });
    expect(started.status).toBe(201);
    const view = (await started.json()) as { id: string; documents: string[]; policy: string };
    expect(view).toMatchObject({ policy: 'age-20', documents: ['mynumber-sign', 'mynumber-info', 'license', 'residence', 'passport'] });
    await session(fullCard({ holder: { ...SYNTHETIC_HOLDER, dateOfBirth: '20000713' } }).card);
    const done = (await (await fetch(`${api.url}/v1/verifications/${view.id}`)).json()) as { result: { token: string } };
    const check = verifyResultToken(done.result.token, kiosk.deviceKey.publicKey);
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.claims).toMatchObject({
      verdict: 'verified',
      nonce: 'n-1',
      policy: { name: 'age-20', age: { threshold: 20, over: true } },
      certificate: null,
    });
    // A verified result says what proved it: the signing certificate chain + the card's signature, bound by the password.
    expect(check.claims).toMatchObject({ authenticity: 'proven', holderBinding: 'password' });
    expect(Object.values(check.claims.checks).length).toBeGreaterThan(0);
    expect(check.claims.policy!.legal.entries.length).toBe(4);
    const jwsPayload = Buffer.from(done.result.token.split('.')[1]!, 'base64url').toString('utf8');

    // The deployment's own policy, on the 4-info route (PIN-protected text AP).
    const info = await fetch(`${api.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy: 'age-20-4info' }),
    });
    expect(info.status).toBe(201);
    const infoResult = await session(fullCard({ holder: { ...SYNTHETIC_HOLDER, dateOfBirth: '20000713' } }).card);
    expect(infoResult).toMatchObject({ document: 'mynumber-info', outcome: 'verified', policy: { name: 'age-20-4info', age: { threshold: 20, over: true } } });

    // Unknown policy names are refused with a stable code.
    const bad = await fetch(`${api.url}/v1/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy: 'age-99x' }),
    });
    expect(bad.status).toBe(422);

    // What left the daemon, and what it keeps.
    const printer = kiosk.peripherals.virtualPrinter!;
    const receiptBytes = Buffer.concat(printer.received).toString('latin1');
    expect(receiptBytes).toContain('Age 20+');
    const rows = kiosk.operations.audit!.store.db.prepare('SELECT body, sealed FROM records ORDER BY seq').all() as { body: string; sealed: Buffer | null }[];
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      expect(JSON.parse(r.body)).toMatchObject({ policy: { id: expect.stringMatching(/^age-20/), age: { threshold: 20, over: true } } });
      expect(r.sealed).toBeNull(); // personal-data sealing is on, but an age policy discloses nothing to seal
    }
    // The passport's birth date is printed on the data page: the holder sees it as typed on the kiosk's own
    // screen while entering and reviewing it (issue 19) — those entry frames only; nothing else carries it.
    const entryFrames = frames.filter((f) => f.includes('"phase":"secret-entry"') && f.includes('"form":{'));
    expect(entryFrames.some((f) => f.includes('000713'))).toBe(true);
    const wsText = frames.filter((f) => !entryFrames.includes(f)).join('\n');
    expect(wsText).toContain('"age":{"threshold":20,"over":true}');
    const outputs: [string, string][] = [
      ['websocket', wsText],
      ['receipt', receiptBytes],
      ['log', logs.join('\n')],
      ['audit', rows.map((r) => r.body).join('\n')],
      ['jws', jwsPayload],
    ];
    for (const [where, text] of outputs) for (const f of FORMS) expect(`${where}: ${text.includes(f) ? f : 'clean'}`).toBe(`${where}: clean`);
  }, 90_000);
});
