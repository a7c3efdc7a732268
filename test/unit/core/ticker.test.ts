// The daemon's one periodic timer (core/ticker.ts, issue 20): jobs with periods that are multiples of each
// other share one wake-up; a job may run up to a quarter of its period early, never late; cancel and a
// throwing job. Fake timers and a fake clock: the assertions count wake-ups, not time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../../core/ticker.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const ticker = (onError?: (e: unknown) => void) => new Ticker(onError, () => Date.now());

describe('Ticker', () => {
  it('the watchdog (15 s), the loop sample (15 s), the clock and the printer poll (60 s) wake it once per 15 s', () => {
    const t = ticker();
    const runs = { watchdog: 0, loop: 0, clock: 0, printer: 0 };
    t.every(15_000, () => runs.watchdog++);
    t.every(15_000, () => runs.loop++);
    t.every(60_000, () => runs.clock++);
    t.every(60_000, () => runs.printer++);
    vi.advanceTimersByTime(120_000);
    expect(runs).toEqual({ watchdog: 8, loop: 8, clock: 2, printer: 2 });
    expect(t.fired).toBe(8);
    t.stop();
  });

  it('a job added later falls in step with the others (no wake-up of its own)', () => {
    const t = ticker();
    let watchdog = 0;
    let loop = 0;
    t.every(15_000, () => watchdog++);
    vi.advanceTimersByTime(4_000);
    t.every(15_000, () => loop++); // the loop sampler going idle 4 s in: first run at 15 s, not 19 s
    vi.advanceTimersByTime(56_000);
    expect({ watchdog, loop, fired: t.fired }).toEqual({ watchdog: 4, loop: 4, fired: 4 });
    t.stop();
  });

  it('a job due within a quarter of its period runs with the earlier one; one due later waits', () => {
    const t = ticker();
    const at: Record<string, number[]> = { a: [], b: [], c: [] };
    const t0 = Date.now();
    t.every(10_000, () => at.a!.push(Date.now() - t0));
    t.every(12_000, () => at.b!.push(Date.now() - t0)); // due 2 s after a: within 3 s, so early
    t.every(14_000, () => at.c!.push(Date.now() - t0)); // due 4 s after a: beyond 3.5 s, on time
    vi.advanceTimersByTime(14_000);
    expect(at).toEqual({ a: [10_000], b: [10_000], c: [14_000] });
    t.stop();
  });

  it('a cancelled job no longer runs; a throwing job is reported and the others still run', () => {
    const errors: unknown[] = [];
    const t = ticker((e) => errors.push(e));
    let kept = 0;
    let cancelled = 0;
    const cancel = t.every(1000, () => cancelled++);
    t.every(1000, () => {
      throw new Error('boom');
    });
    t.every(1000, () => kept++);
    vi.advanceTimersByTime(1000);
    cancel();
    vi.advanceTimersByTime(3000);
    expect({ kept, cancelled, errors: errors.length }).toEqual({ kept: 4, cancelled: 1, errors: 4 });
    t.stop();
    vi.advanceTimersByTime(5000);
    expect(kept).toBe(4);
    expect(() => t.every(0, () => {})).toThrow(RangeError);
  });
});
