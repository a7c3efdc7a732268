// The pure session machine: every path as data, plus a property test that no event sequence reaches an
// inconsistent state (an active read without a card, a secret entry without a request…).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialState, reduce, type KioskEvent } from '../../../daemon/kiosk/session-machine.ts';
import { PIN_REQUEST, runMachine } from '../../harness/kiosk-machine.ts';

const run = runMachine;

const ready: KioskEvent[] = [{ type: 'reader-service', available: true }];
const insert: KioskEvent = { type: 'card-inserted', reader: 'R' };

describe('session machine', () => {
  it('idle → card → reading → PIN entry → verifying → result → remove card → idle', () => {
    let r = run([...ready, insert]);
    expect(r.state.phase).toBe('reading');
    expect(r.effects).toContainEqual({ type: 'start-read', session: 1, reader: 'R', documents: null });
    r = run([{ type: 'secret-requested', session: 1, entry: PIN_REQUEST }], r.state);
    expect(r.state.phase).toBe('secret-entry');
    expect(r.effects).toContainEqual({ type: 'start-timer', timer: 'entry', ms: 30_000 });
    r = run([{ type: 'entry-changed', length: 3 }, { type: 'entry-submit' }], r.state);
    expect(r.state.phase).toBe('secret-entry'); // 3 digits: not submitted
    r = run([{ type: 'entry-changed', length: 4 }, { type: 'entry-submit' }], r.state);
    expect(r.state.phase).toBe('verifying');
    expect(r.effects).toContainEqual({ type: 'submit-secret', session: 1 });
    r = run([{ type: 'read-finished', session: 1, result: { outcome: 'verified', document: 'mynumber-jpki-auth', reasons: [] } }], r.state);
    expect(r.state.phase).toBe('result');
    expect(r.effects).toContainEqual({ type: 'alert', kind: 'verified' });
    r = run([{ type: 'timeout', timer: 'result' }], r.state);
    expect(r.state.phase).toBe('remove-card');
    r = run([{ type: 'timeout', timer: 'card-left' }], r.state);
    expect(r.effects).toContainEqual({ type: 'alert', kind: 'card-left', level: 1 });
    r = run([{ type: 'card-removed', reader: 'R' }], r.state);
    expect(r.state.phase).toBe('idle');
  });

  it('each answer outcome raises its own alert: chip-read never sounds like verified; error/cancelled raise none', () => {
    const alerts = (outcome: 'verified' | 'chip-read' | 'refused' | 'error' | 'cancelled') => {
      const r = run([
        ...ready,
        insert,
        { type: 'read-finished', session: 1, result: { outcome, authenticity: 'chip-read', holderBinding: 'pin', document: 'license', reasons: [] } },
      ]);
      expect(r.state.phase).toBe('result');
      expect(r.state.result?.outcome).toBe(outcome);
      return r.effects.filter((e) => e.type === 'alert');
    };
    expect(alerts('chip-read')).toEqual([{ type: 'alert', kind: 'chip-read' }]);
    expect(alerts('verified')).toEqual([{ type: 'alert', kind: 'verified' }]);
    expect(alerts('refused')).toEqual([{ type: 'alert', kind: 'refused' }]);
    expect(alerts('error')).toEqual([]);
    expect(alerts('cancelled')).toEqual([]);
  });

  it('card pulled while typing aborts the read and wipes the entry', () => {
    const r = run([
      ...ready,
      insert,
      { type: 'secret-requested', session: 1, entry: PIN_REQUEST },
      { type: 'entry-changed', length: 2 },
      { type: 'card-removed', reader: 'R' },
    ]);
    expect(r.state.phase).toBe('result');
    expect(r.state.result?.reasons).toEqual(['CARD_REMOVED']);
    expect(r.effects).toContainEqual({ type: 'abort-read', session: 1, code: 'CARD_REMOVED' });
    expect(r.effects.filter((e) => e.type === 'clear-entry').length).toBeGreaterThan(0);
    expect(r.state.entry).toBeNull();
  });

  it('PIN entry timeout cancels the session', () => {
    const r = run([...ready, insert, { type: 'secret-requested', session: 1, entry: PIN_REQUEST }, { type: 'timeout', timer: 'entry' }]);
    expect(r.state.result).toMatchObject({ outcome: 'cancelled', reasons: ['PIN_ENTRY_TIMEOUT'] });
    expect(r.effects).toContainEqual({ type: 'abort-read', session: 1, code: 'PIN_ENTRY_TIMEOUT' });
  });

  it('cancel during entry aborts; cancel on the result screen moves on', () => {
    let r = run([...ready, insert, { type: 'secret-requested', session: 1, entry: PIN_REQUEST }, { type: 'cancel' }]);
    expect(r.state.result?.outcome).toBe('cancelled');
    r = run([{ type: 'cancel' }], r.state);
    expect(r.state.phase).toBe('remove-card');
  });

  it('reader lost mid-read: unavailable screen, read aborted; back to idle when it returns', () => {
    let r = run([...ready, insert, { type: 'reader-service', available: false }]);
    expect(r.state.phase).toBe('reader-unavailable');
    expect(r.effects).toContainEqual({ type: 'abort-read', session: 1, code: 'READER_UNAVAILABLE' });
    r = run([{ type: 'reader-service', available: true }], r.state);
    expect(r.state.phase).toBe('idle');
  });

  it('events of an earlier session are ignored', () => {
    const r = run([...ready, insert, { type: 'card-removed', reader: 'R' }, { type: 'read-failed', session: 1, code: 'CARD_UNSUPPORTED' }]);
    expect(r.state.result?.reasons).toEqual(['CARD_REMOVED']);
  });

  it('refusal codes are "refused", transport failures are "error"', () => {
    const refused = run([...ready, insert, { type: 'read-failed', session: 1, code: 'PIN_TRIES_LOW', triesLeft: 1 }]);
    expect(refused.state.result).toMatchObject({ outcome: 'refused', triesLeft: 1 });
    const licence = run([...ready, insert, { type: 'read-failed', session: 1, code: 'PIN_LOCKED', document: 'license' }]);
    expect(licence.state.result).toMatchObject({ outcome: 'refused', document: 'license' }); // guidance differs per document
    const error = run([...ready, insert, { type: 'read-failed', session: 1, code: 'READER_TIMEOUT' }]);
    expect(error.state.result?.outcome).toBe('error');
  });

  it('property: no event sequence leads to an inconsistent state', () => {
    const event: fc.Arbitrary<KioskEvent> = fc.oneof(
      fc.boolean().map((available) => ({ type: 'reader-service' as const, available })),
      fc.constant({ type: 'card-inserted' as const, reader: 'R' }),
      fc.constant({ type: 'card-removed' as const, reader: 'R' }),
      fc.integer({ min: 0, max: 3 }).map((session) => ({ type: 'secret-requested' as const, session, entry: PIN_REQUEST })),
      fc.integer({ min: 0, max: 6 }).map((length) => ({ type: 'entry-changed' as const, length })),
      fc.constant({ type: 'entry-submit' as const }),
      fc.constant({ type: 'cancel' as const }),
      fc.integer({ min: 0, max: 3 }).map((session) => ({ type: 'read-failed' as const, session, code: 'PIN_LOCKED' })),
      fc.integer({ min: 0, max: 3 }).map((session) => ({
        type: 'read-finished' as const,
        session,
        result: { outcome: 'verified' as const, document: 'mynumber-jpki-auth', reasons: [] },
      })),
      fc.constant({ type: 'entry-extend' as const }),
      fc.constantFrom('entry', 'entry-warn', 'result', 'card-left').map((timer) => ({ type: 'timeout' as const, timer: timer as 'entry' })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s = initialState();
        for (const e of events) {
          [s] = reduce(s, e);
          if (s.phase === 'secret-entry') expect(s.entry).not.toBeNull();
          if (s.phase !== 'secret-entry' && s.phase !== 'verifying') expect(s.entry).toBeNull();
          if (['reading', 'secret-entry', 'verifying'].includes(s.phase)) expect(s.cardPresent && s.readerAvailable).toBe(true);
          if (s.phase === 'result') expect(s.result).not.toBeNull();
          if (s.phase === 'remove-card') expect(s.cardPresent).toBe(true);
          if (s.phase !== 'remove-card') expect(s.cardLeft).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
