// What the session machine gained for the kiosk screen and the integration API: blockers (maintenance,
// printer), integration-API requests (documents, timeout, cancel, busy), and the multi-tap candidate.
// Includes a property test over every event kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState, reduce, type KioskEffect, type KioskEvent } from '../../../daemon/kiosk/session-machine.ts';
import { PIN_REQUEST, padIds, runMachine } from '../../harness/kiosk-machine.ts';

const ENTRY = {
  ...PIN_REQUEST,
  purpose: 'jpki-sign-password' as const,
  format: { kind: 'alnum' as const, min: 6, max: 16 },
  triesLeft: 5,
  maxTries: 5,
  padIds: padIds(36),
};

const run = runMachine;

const ready: KioskEvent[] = [{ type: 'reader-service', available: true }];
const insert: KioskEvent = { type: 'card-inserted', reader: 'R' };
const remove: KioskEvent = { type: 'card-removed', reader: 'R' };
const req = (id = 'r1', documents = ['mynumber-jpki-auth']): KioskEvent => ({ type: 'request', request: { id, documents } });

describe('blockers', () => {
  it('printer blocker: a card placed starts nothing; when the printer is back the waiting card is read', () => {
    let r = run([...ready, { type: 'block', blocker: 'printer', on: true }, insert]);
    expect(r.state).toMatchObject({ phase: 'idle', cardPresent: true, blockedBy: ['printer'] });
    expect(r.effects.some((e) => e.type === 'start-read')).toBe(false);
    r = run([{ type: 'block', blocker: 'printer', on: false }], r.state);
    expect(r.state.phase).toBe('reading');
    expect(r.effects).toContainEqual({ type: 'start-read', session: 1, reader: 'R', documents: null });
  });

  it('a printer fault during a session does not end it; maintenance does', () => {
    let r = run([...ready, insert, { type: 'block', blocker: 'printer', on: true }]);
    expect(r.state.phase).toBe('reading');
    r = run([{ type: 'block', blocker: 'maintenance', on: true }], r.state);
    expect(r.state.phase).toBe('result');
    expect(r.state.result).toMatchObject({ outcome: 'error', reasons: ['KIOSK_MAINTENANCE'] });
    expect(r.effects).toContainEqual({ type: 'abort-read', session: 1, code: 'KIOSK_MAINTENANCE' });
    expect(r.state.blockedBy).toEqual(['printer', 'maintenance']);
  });

  it('blocking twice and unblocking once leaves the other blocker in place', () => {
    const r = run([
      ...ready,
      { type: 'block', blocker: 'printer', on: true },
      { type: 'block', blocker: 'printer', on: true },
      { type: 'block', blocker: 'maintenance', on: true },
      { type: 'block', blocker: 'printer', on: false },
    ]);
    expect(r.state.blockedBy).toEqual(['maintenance']);
  });
});

describe('integration-API requests', () => {
  it('a request narrows the documents of the next session and is named in session-ended', () => {
    let r = run([...ready, req('r1', ['license'])]);
    expect(r.state.request).toEqual({ id: 'r1', documents: ['license'] });
    expect(r.effects).toContainEqual({ type: 'start-timer', timer: 'request', ms: 120_000 });
    r = run([insert], r.state);
    expect(r.effects).toContainEqual({ type: 'start-read', session: 1, reader: 'R', documents: ['license'] });
    expect(r.effects).toContainEqual({ type: 'clear-timer', timer: 'request' });
    r = run([{ type: 'read-finished', session: 1, result: { outcome: 'verified', document: 'license', reasons: [] } }], r.state);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'session-ended', session: 1, request: 'r1' }));
    expect(r.state.request).toBeNull();
    // The next walk-up session is not the request's.
    r = run([remove, insert, { type: 'cancel' }], r.state);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'session-ended', session: 2, request: null }));
  });

  it('busy, blocked, timed out, cancelled: each ends the request with its code', () => {
    expect(run([...ready, insert, req()]).effects).toContainEqual({ type: 'request-ended', id: 'r1', code: 'SESSION_BUSY' });
    expect(run([...ready, req('a'), req('b')]).effects).toContainEqual({ type: 'request-ended', id: 'b', code: 'SESSION_BUSY' });
    expect(run([...ready, { type: 'block', blocker: 'maintenance', on: true }, req()]).effects).toContainEqual({
      type: 'request-ended',
      id: 'r1',
      code: 'KIOSK_MAINTENANCE',
    });
    expect(run([...ready, { type: 'block', blocker: 'printer', on: true }, req()]).effects).toContainEqual({
      type: 'request-ended',
      id: 'r1',
      code: 'PRINTER_UNAVAILABLE',
    });
    const timedOut = run([...ready, req(), { type: 'timeout', timer: 'request' }]);
    expect(timedOut.effects).toContainEqual({ type: 'request-ended', id: 'r1', code: 'SESSION_TIMEOUT' });
    expect(timedOut.state.request).toBeNull();
    const cancelled = run([...ready, req(), { type: 'request-cancel', id: 'other' }, { type: 'request-cancel', id: 'r1' }]);
    expect(cancelled.effects.filter((e) => e.type === 'request-ended')).toEqual([{ type: 'request-ended', id: 'r1', code: 'SESSION_CANCELLED' }]);
  });

  it('cancelling a running request ends its session as cancelled, and a result on screen gives way to a new request', () => {
    let r = run([...ready, req(), insert, { type: 'request-cancel', id: 'r1' }]);
    expect(r.state.result).toMatchObject({ outcome: 'cancelled', reasons: ['SESSION_CANCELLED'] });
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'session-ended', request: 'r1' }));
    r = run([remove, req('r2')], r.state);
    expect(r.state).toMatchObject({ phase: 'idle', result: null, request: { id: 'r2' } });
  });
});

describe('multi-tap candidate', () => {
  const CARD_NUMBER = { ...ENTRY, purpose: 'residence-card-number' as const, format: { kind: 'alnum' as const, min: 12, max: 12 } };

  it('a number printed on the document shows the letter being chosen until the next change; a new entry starts without one', () => {
    let r = run([...ready, insert, { type: 'secret-requested', session: 1, entry: CARD_NUMBER }]);
    expect(r.state.entry).toMatchObject({ length: 0, candidate: null, candidateIndex: null });
    r = run([{ type: 'entry-changed', length: 2, candidate: 'B', candidateIndex: 1 }], r.state);
    expect(r.state.entry).toMatchObject({ length: 2, candidate: 'B', candidateIndex: 1 });
    r = run([{ type: 'entry-changed', length: 3 }], r.state);
    expect(r.state.entry).toMatchObject({ candidate: null, candidateIndex: null });
  });

  it('a password never carries the letter, whoever reports it: only its position on the key', () => {
    let r = run([...ready, insert, { type: 'secret-requested', session: 1, entry: ENTRY }]);
    r = run([{ type: 'entry-changed', length: 2, candidate: 'B', candidateIndex: 1 }], r.state);
    expect(r.state.entry).toMatchObject({ length: 2, candidate: null, candidateIndex: 1 });
    expect(JSON.stringify(r.state)).not.toContain('"B"');
  });

  it('a change that shows nothing new makes no new state (no frame a watcher could count)', () => {
    let r = run([...ready, insert, { type: 'secret-requested', session: 1, entry: ENTRY }]);
    r = run([{ type: 'entry-changed', length: 1, candidateIndex: 0 }], r.state);
    const before = r.state;
    r = run([{ type: 'entry-changed', length: 1, candidate: 'A', candidateIndex: 0 }], before);
    expect(r.state).toBe(before);
    expect(r.effects).toContainEqual({ type: 'start-timer', timer: 'entry', ms: expect.any(Number) });
  });
});

describe('property', () => {
  it('no event sequence leads to an inconsistent state', () => {
    const event: fc.Arbitrary<KioskEvent> = fc.oneof(
      fc.boolean().map((available) => ({ type: 'reader-service' as const, available })),
      fc.constant(insert),
      fc.constant(remove),
      fc.integer({ min: 0, max: 3 }).map((session) => ({ type: 'secret-requested' as const, session, entry: ENTRY })),
      fc.record({ length: fc.integer({ min: 0, max: 16 }), candidate: fc.constantFrom(null, 'A', '7') }).map((x) => ({ type: 'entry-changed' as const, ...x })),
      fc.constant({ type: 'entry-submit' as const }),
      fc.constant({ type: 'cancel' as const }),
      fc.integer({ min: 0, max: 3 }).map((session) => ({ type: 'read-failed' as const, session, code: 'PIN_LOCKED' })),
      fc.constantFrom('entry', 'result', 'card-left', 'request').map((timer) => ({ type: 'timeout' as const, timer: timer as 'entry' })),
      fc.record({ blocker: fc.constantFrom('maintenance' as const, 'printer' as const), on: fc.boolean() }).map((x) => ({ type: 'block' as const, ...x })),
      fc.constantFrom('a', 'b').map((id) => req(id)),
      fc.constantFrom('a', 'b').map((id) => ({ type: 'request-cancel' as const, id })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 50 }), (events) => {
        let s = initialState();
        const ended = new Set<string>();
        const started = new Set<string>();
        for (const e of events) {
          const before = s;
          let fx: KioskEffect[];
          [s, fx] = reduce(s, e);
          const active = ['reading', 'secret-entry', 'verifying'].includes(s.phase);
          // A session only starts while nothing blocks it; maintenance never coexists with an active session.
          if (active && !['reading', 'secret-entry', 'verifying'].includes(before.phase))
            expect(before.blockedBy.length === 0 || e.type === 'block').toBe(true);
          if (active) expect(s.blockedBy).not.toContain('maintenance');
          if (s.phase === 'remove-card') expect(s.request).toBeNull();
          expect(new Set(s.blockedBy).size).toBe(s.blockedBy.length);
          // Every request ends exactly once, through request-ended or its session's end.
          if (e.type === 'request' && s.request?.id === e.request.id && before.request?.id !== e.request.id) {
            started.add(e.request.id);
            ended.delete(e.request.id);
          }
          for (const f of fx) {
            const id = f.type === 'request-ended' && started.has(f.id) ? f.id : f.type === 'session-ended' ? f.request : null;
            if (id) {
              expect(ended.has(id)).toBe(false);
              ended.add(id);
              started.delete(id);
            }
          }
          if (s.request) expect(started.has(s.request.id)).toBe(true);
          if (e.type === 'request') {
            for (const id of started) if (id !== s.request?.id) started.delete(id);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
