// The watchdog's blocked-loop detector (daemon/health/loop-stall.ts): a synchronous block is seen
// whether the probe runs before or after the sampler, and only once; an idle sampler (long period, issue
// 20) still sees a block, and a long quiet window is not mistaken for one.
import { describe, expect, it } from 'vitest';
import { LoopStallMonitor } from '../../../daemon/health/loop-stall.ts';

const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('LoopStallMonitor', () => {
  it('a block shows as a gap at least as long, when the probe asks before the sampler ran', () => {
    const m = new LoopStallMonitor(10_000);
    m.start();
    try {
      block(300);
      expect(m.takeWorstGapMs()).toBeGreaterThanOrEqual(300);
      expect(m.takeWorstGapMs()).toBeLessThan(300); // a new window
    } finally {
      m.stop();
    }
  });

  it('a block the sampler recorded is reported at the next probe', async () => {
    const m = new LoopStallMonitor(20);
    const sampled = async (n: number) => {
      const end = Date.now() + 10_000;
      while (m.samples < n && Date.now() < end) await new Promise((r) => setImmediate(r));
      expect(m.samples).toBeGreaterThanOrEqual(n);
    };
    m.start();
    try {
      await sampled(1);
      m.takeWorstGapMs();
      const n = m.samples;
      block(300);
      await sampled(n + 1); // the sampler ran after the block, before the probe
      expect(m.takeWorstGapMs()).toBeGreaterThanOrEqual(300);
    } finally {
      m.stop();
    }
  });

  it('idle: after quiet windows it samples at the long period; a block is still seen, a long quiet window is not one', async () => {
    const m = new LoopStallMonitor(20, { idleEveryMs: 600_000 });
    m.start();
    try {
      expect(m.state()).toBe('busy');
      const end = Date.now() + 10_000;
      while (m.state() !== 'idle' && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      expect(m.state()).toBe('idle'); // the sampler now wakes every 10 min
      m.takeWorstGapMs();
      const t0 = performance.now();
      while (performance.now() - t0 < 400) await new Promise((r) => setTimeout(r, 20)); // a quiet 0.4 s window
      expect(m.takeWorstGapMs()).toBeLessThan(200); // the window's length is not a block
      block(300);
      expect(m.takeWorstGapMs()).toBeGreaterThanOrEqual(300);
      m.activity(); // a session started: short period again
      expect(m.state()).toBe('busy');
    } finally {
      m.stop();
    }
  });
});
