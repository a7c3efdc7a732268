// Both sides of the screen protocol agree: every state the session machine can reach, wrapped as the
// daemon sends it, passes the screen's validator (ui/protocol.js); malformed frames are rejected on both
// sides without throwing. Plus the API's signed result and its configuration.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState, reduce, type KioskEvent } from '../../../daemon/kiosk/session-machine.ts';
import { parseClientMessage, PROTOCOL_VERSION, type ServerMessage } from '../../../daemon/server/protocol.ts';
import { AUTHENTICITIES as UI_AUTHENTICITIES, HOLDER_BINDINGS as UI_BINDINGS, OUTCOMES as UI_OUTCOMES, parseServerMessage } from '../../../ui/protocol.js';
import { AUTHENTICITIES, HOLDER_BINDINGS, OUTCOMES } from '../../../daemon/result/result-view.ts';
import { DeviceKey } from '../../../daemon/device/device-key.ts';
import { signResultToken, verifyResultToken, type ResultClaims } from '../../../daemon/api/result-token.ts';
import { addressAllowed, parseApi } from '../../../daemon/api/api-config.ts';
import { parseStart } from '../../../daemon/api/api-server.ts';

const ENTRY = (alnum: boolean) => ({
  purpose: alnum ? ('jpki-sign-password' as const) : ('jpki-auth-pin' as const),
  format: alnum ? { kind: 'alnum' as const, min: 6, max: 16 } : { kind: 'digits' as const, min: 4, max: 4 },
  triesLeft: 3,
  maxTries: 3,
  previousAttemptWrong: false,
  padIds: Array.from({ length: alnum ? 36 : 10 }, (_, i) => `${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'abcdef'[Math.floor(i / 26)]}zzzz`),
});

const event: fc.Arbitrary<KioskEvent> = fc.oneof(
  fc.boolean().map((available) => ({ type: 'reader-service' as const, available })),
  fc.constant({ type: 'card-inserted' as const, reader: 'R' }),
  fc.constant({ type: 'card-removed' as const, reader: 'R' }),
  fc
    .record({ session: fc.integer({ min: 0, max: 3 }), alnum: fc.boolean() })
    .map(({ session, alnum }) => ({ type: 'secret-requested' as const, session, entry: ENTRY(alnum) })),
  fc
    .record({ length: fc.integer({ min: 0, max: 4 }), candidate: fc.constantFrom(null, 'K'), candidateIndex: fc.constantFrom(null, 0, 4) })
    .map((x) => ({ type: 'entry-changed' as const, ...x })),
  fc.constant({ type: 'entry-submit' as const }),
  fc.constant({ type: 'cancel' as const }),
  fc.integer({ min: 0, max: 3 }).map((session) => ({ type: 'read-failed' as const, session, code: 'TRUST_REVOKED' })),
  fc.integer({ min: 0, max: 3 }).map((session) => ({
    type: 'read-finished' as const,
    session,
    result: {
      outcome: 'verified' as const,
      authenticity: 'proven' as const,
      holderBinding: 'pin' as const,
      document: 'license',
      reasons: [],
      checks: { 'ef07-signature': 'valid' },
    },
  })),
  fc.integer({ min: 0, max: 3 }).map((session) => ({
    type: 'read-finished' as const,
    session,
    result: {
      outcome: 'chip-read' as const,
      authenticity: 'chip-read' as const,
      holderBinding: 'pin' as const,
      document: 'license',
      reasons: [],
      checks: { 'ef07-signature': 'no-key' },
    },
  })),
  fc.record({ blocker: fc.constantFrom('maintenance' as const, 'printer' as const), on: fc.boolean() }).map((x) => ({ type: 'block' as const, ...x })),
  fc.constant<KioskEvent>({ type: 'request', request: { id: 'r', documents: ['license'] } }),
  // the passport's entry form (issue 19): fields, back/edit, review, a retry with values kept
  fc.record({ session: fc.integer({ min: 0, max: 3 }), retry: fc.boolean() }).map(({ session, retry }) => ({
    type: 'form-requested' as const,
    session,
    form: {
      fields: [
        { purpose: 'passport-document-number' as const, format: { kind: 'alnum' as const, min: 1, max: 9 } },
        { purpose: 'passport-birth-date' as const, format: { kind: 'digits' as const, min: 6, max: 6 } },
        { purpose: 'passport-expiry-date' as const, format: { kind: 'digits' as const, min: 6, max: 6 } },
      ],
      mismatch: retry ? { attempt: 2, max: 3 } : null,
    },
    previous: retry ? ['L898902C3', '740812', '120415'] : null,
    today: '20261207',
    padIds: ENTRY(true).padIds,
  })),
  fc.stringMatching(/^[0-9]{0,6}$/).map((v) => ({ type: 'entry-changed' as const, length: v.length, typed: v })),
  fc.constant({ type: 'entry-prev' as const }),
  fc.integer({ min: -1, max: 3 }).map((field) => ({ type: 'entry-edit' as const, field })),
  fc.constant({ type: 'entry-confirm' as const }),
);

describe('screen protocol', () => {
  it('property: every reachable state, as the daemon sends it, passes the screen validator', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let s = initialState();
        for (const e of events) {
          [s] = reduce(s, e);
          if (s.entry && s.entry.length > s.entry.format.max) continue; // entry-changed beyond max never comes from the runtime
          if (s.entry?.typed != null && s.entry.typed.length !== s.entry.length) continue; // the runtime sends a printed number's text with its length
          const msg: ServerMessage = { v: PROTOCOL_VERSION, type: 'state', state: s };
          expect(parseServerMessage(JSON.stringify(msg))).toEqual(msg);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the verdict model has the same values on both sides; the screen drops results outside it', () => {
    expect(UI_OUTCOMES).toEqual([...OUTCOMES]);
    expect(UI_AUTHENTICITIES).toEqual([...AUTHENTICITIES]);
    expect(UI_BINDINGS).toEqual([...HOLDER_BINDINGS]);
    const s0 = reduce(reduce(initialState(), { type: 'reader-service', available: true })[0], { type: 'card-inserted', reader: 'R' })[0];
    const frame = (result: Record<string, unknown>) =>
      JSON.stringify({ v: 2, type: 'state', state: reduce(s0, { type: 'read-finished', session: 1, result: result as never })[0] });
    const base = { document: 'license', reasons: [] };
    for (const outcome of OUTCOMES)
      for (const authenticity of [...AUTHENTICITIES, null])
        for (const holderBinding of [...HOLDER_BINDINGS, null]) {
          expect(parseServerMessage(frame({ ...base, outcome, authenticity, holderBinding, checks: { a: 'b' } }))).not.toBeNull();
        }
    expect(parseServerMessage(frame({ ...base, outcome: 'ok' }))).toBeNull();
    expect(parseServerMessage(frame({ ...base, outcome: 'verified', authenticity: 'maybe' }))).toBeNull();
    expect(parseServerMessage(frame({ ...base, outcome: 'verified', authenticity: 'proven', holderBinding: 'trust-me' }))).toBeNull();
    expect(parseServerMessage(frame({ ...base, outcome: 'verified', authenticity: 'proven', checks: { a: 1 } }))).toBeNull();
  });

  it('the screen drops foreign, malformed and tampered frames; another version asks for a reload', () => {
    const s = reduce(reduce(initialState(), { type: 'reader-service', available: true })[0], { type: 'card-inserted', reader: 'R' })[0];
    const [entry] = reduce(s, { type: 'secret-requested', session: 1, entry: ENTRY(false) });
    const ok = { v: 2, type: 'state', state: entry };
    expect(parseServerMessage(JSON.stringify(ok))).not.toBeNull();
    const bad = (f: (m: any) => void) => {
      const m = structuredClone(ok) as any;
      f(m);
      return parseServerMessage(JSON.stringify(m));
    };
    expect(bad((m) => (m.state.entry.padIds = m.state.entry.padIds.slice(1)))).toBeNull();
    expect(bad((m) => (m.state.entry.padIds[0] = '1234'))).toBeNull();
    expect(bad((m) => (m.state.entry.candidate = 'AB'))).toBeNull();
    expect(bad((m) => (m.state.entry.candidateIndex = 5))).toBeNull();
    expect(bad((m) => (m.state.entry.candidateIndex = '0'))).toBeNull();
    expect(bad((m) => (m.state.entry.length = 9))).toBeNull();
    expect(bad((m) => (m.state.phase = 'hacked'))).toBeNull();
    expect(bad((m) => (m.type = 'eval'))).toBeNull();
    expect(bad((m) => (m.v = 1))).toEqual({ type: 'version-mismatch', v: 1 });
    expect(parseServerMessage('{')).toBeNull();
    expect(parseServerMessage('[]')).toBeNull();
  });

  it('client messages: only known shapes, never a character by value; fuzz never throws', () => {
    expect(parseClientMessage('{"v":2,"type":"pad","id":"abcdef"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"v":2,"type":"key","key":"enter"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"v":2,"type":"key","key":"prev"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"v":2,"type":"edit","field":2}')).toMatchObject({ ok: true, msg: { type: 'edit', field: 2 } });
    for (const field of [-1, 8, 1.5, '1', null]) expect(parseClientMessage(JSON.stringify({ v: 2, type: 'edit', field }))).toMatchObject({ ok: false });
    for (const key of ['1', 'A', 'z', '']) expect(parseClientMessage(JSON.stringify({ v: 2, type: 'key', key }))).toMatchObject({ ok: false });
    expect(parseClientMessage('{"v":2,"type":"pad","id":"abcdef","extra":1}')).toMatchObject({ ok: false });
    expect(parseClientMessage('{"v":2,"type":"demo-fault","fault":"rm -rf"}')).toMatchObject({ ok: false });
    expect(parseClientMessage('{"v":2,"type":"demo-session","mode":"sign","policy":"age-20"}')).toMatchObject({ ok: true });
    expect(parseClientMessage('{"v":2,"type":"demo-session","mode":"face","policy":null}')).toMatchObject({ ok: true });
    for (const bad of [
      '{"v":2,"type":"demo-session","mode":"sign"}',
      '{"v":2,"type":"demo-session","mode":"Sign","policy":null}',
      '{"v":2,"type":"demo-session","mode":"sign","policy":"../x"}',
      '{"v":2,"type":"demo-session","mode":"sign","policy":7}',
      '{"v":2,"type":"demo-session","mode":"sign","policy":null,"documents":[]}',
    ])
      expect(parseClientMessage(bad), bad).toMatchObject({ ok: false });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseClientMessage(text);
        expect(typeof r.ok).toBe('boolean');
        expect(parseServerMessage(text) === null || typeof parseServerMessage(text) === 'object').toBe(true);
      }),
    );
  });
});

describe('integration API pieces', () => {
  const key = DeviceKey.ephemeral();
  const claims: ResultClaims = {
    iss: 'idkiosk:k1',
    jti: 'j',
    iat: 1,
    exp: Math.floor(Date.now() / 1000) + 60,
    kioskId: 'k1',
    nonce: 'n',
    verdict: 'verified',
    reasons: [],
    authenticity: 'proven',
    holderBinding: 'pin',
    checks: { 'challenge-signature': 'valid', chain: 'valid' },
    document: 'mynumber-jpki-auth',
    documentType: 'my-number-card',
    method: 'jpki-auth',
    certificate: null,
    revocation: 'good',
    time: new Date().toISOString(),
  };

  it('the JWS verifies with the device key (KeyObject, PEM, JWK) and fails when tampered, expired or from another key', () => {
    const token = signResultToken(claims, key);
    expect(verifyResultToken(token, key.publicKey)).toEqual({ valid: true, claims });
    expect(verifyResultToken(token, key.publicKeyPem()).valid).toBe(true);
    expect(verifyResultToken(token, key.publicKey.export({ format: 'jwk' })).valid).toBe(true);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = Buffer.from(JSON.stringify({ ...claims, verdict: 'refused' })).toString('base64url');
    expect(verifyResultToken(`${h}.${flipped}.${s}`, key.publicKey)).toEqual({ valid: false, reason: 'signature' });
    // The verdict-model claims are covered by the signature like the verdict itself.
    const upgraded = Buffer.from(
      JSON.stringify({ ...claims, authenticity: 'proven', checks: { ...claims.checks, chain: 'valid' }, verdict: 'verified', holderBinding: 'password' }),
    ).toString('base64url');
    expect(verifyResultToken(`${h}.${upgraded}.${s}`, key.publicKey)).toEqual({ valid: false, reason: 'signature' });
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: key.fingerprint })).toString('base64url');
    expect(verifyResultToken(`${none}.${p}.`, key.publicKey)).toEqual({ valid: false, reason: 'alg' });
    expect(verifyResultToken(token, DeviceKey.ephemeral().publicKey)).toEqual({ valid: false, reason: 'kid' });
    expect(verifyResultToken(signResultToken({ ...claims, exp: 1 }, key), key.publicKey)).toEqual({ valid: false, reason: 'expired' });
    expect(verifyResultToken('a.b', key.publicKey)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('config: loopback by default, LAN only with mutual TLS; allow-list matching', () => {
    expect(parseApi(undefined)).toMatchObject({ host: '127.0.0.1', allow: ['127.0.0.1', '::1'], tls: null });
    expect(parseApi(undefined).enabled).toBe(false);
    expect(() => parseApi({ enabled: true, host: '0.0.0.0' })).toThrow(/needs api.tls/);
    expect(parseApi({ host: '0.0.0.0', tls: { certFile: 'a', keyFile: 'b', clientCaFile: 'c' } }).tls).not.toBeNull();
    expect(() => parseApi({ allow: ['10.0.0.0/33'] })).toThrow(/api.allow/);
    expect(addressAllowed('::ffff:10.1.2.3', ['10.1.2.0/24'])).toBe(true);
    expect(addressAllowed('10.1.3.3', ['10.1.2.0/24'])).toBe(false);
    expect(addressAllowed('::1', ['127.0.0.1', '::1'])).toBe(true);
    expect(addressAllowed(undefined, ['0.0.0.0/0'])).toBe(false);
  });

  it('start requests: one document or a list, nonce and audience bounded, nothing else accepted', () => {
    expect(parseStart({ document: 'license', nonce: 'x' })).toEqual({ documents: ['license'], nonce: 'x', audience: undefined });
    expect(parseStart({ documents: ['license', 'license', 'passport'] })).toMatchObject({ documents: ['license', 'passport'] });
    for (const bad of [
      {},
      { document: 'license', documents: ['passport'] },
      { documents: [] },
      { document: 'License!' },
      { document: 'license', pin: '1234' },
      { document: 'license', nonce: 'a b' },
      [],
    ]) {
      expect(typeof parseStart(bad)).toBe('string');
    }
  });
});
