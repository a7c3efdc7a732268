// The watchdog's blocked-loop detector (daemon/health/loop-stall.ts): a synchronous block is seen
// whether the probe runs before or after the sampler, and only once.
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
});
